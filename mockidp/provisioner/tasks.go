package provisioner

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Status is a task's state in the app's queue.
type Status string

// Task states. Failed tasks wait for Retry or Dismiss; RateLimited is a running task waiting after a 429.
const (
	StatusQueued      Status = "QUEUED"
	StatusRunning     Status = "IN_PROGRESS"
	StatusRateLimited Status = "RATE_LIMITED"
	StatusFailed      Status = "FAILED"
	StatusCompleted   Status = "COMPLETED"
	StatusDismissed   Status = "DISMISSED"
)

// Kind is what a task does.
type Kind string

// Task kinds.
const (
	KindUser        Kind = "user"         // bring one user in line with the directory
	KindGroup       Kind = "group"        // bring a pushed group's name and members in line
	KindPushGroup   Kind = "push-group"   // Push Groups: create (or link) the group, then sync it
	KindUnlinkGroup Kind = "unlink-group" // unlink a pushed group, deleting it in the app or not
	KindPassword    Kind = "password"     // Sync Password (A9)
	KindImport      Kind = "import"       // Import Now: users, then groups when WithGroups
)

// Task is one unit of provisioning work for one app, as Okta's Dashboard > Tasks lists it.
type Task struct {
	ID      string // "tsk" + 17 digits, in creation order
	Seq     int    // creation order across the org
	AppID   string
	Kind    Kind
	UserID  string // KindUser
	GroupID string // group kinds
	// Force re-pushes a provisioned user's profile even when nothing changed (Force Sync, A21).
	Force bool
	// DeleteInApp is the unlink choice "Delete the group in the target app" (A18).
	DeleteInApp bool
	// WithGroups makes an import read the app's groups after its users (A11).
	WithGroups bool
	// Subject names the user (login) or group (name) the task is about.
	Subject string
	Status  Status
	// Message is the failure in Okta's words (empty unless Failed).
	Message string
	// Attempts counts runs (1 + retries); RateLimits counts 429 waits.
	Attempts, RateLimits int
	Created, Updated     time.Time
	// RetryAt is when a RateLimited task sends its request again.
	RetryAt time.Time
	// First and Last delimit the task's exchanges in the app's transcript: [First, Last).
	First, Last int
	err         error
	secret      string // the password of a KindPassword task; cleared once it ran
}

// Err returns the failure of a Failed task (a *scimpush.PushError inside), nil otherwise.
func (t Task) Err() error { return t.err }

// Done reports whether the task will not run again unless retried.
func (t Task) Done() bool {
	return t.Status == StatusCompleted || t.Status == StatusFailed || t.Status == StatusDismissed
}

// queue is an app's tasks: all of them in creation order (list) and those waiting to run (pending);
// waiting counts the pending tasks by what they do, so enqueue finds a duplicate without a scan.
type queue struct {
	list    []*Task
	pending []*Task
	waiting map[sameWork]int
	running bool
}

// push adds t to the tasks waiting to run.
func (q *queue) push(t *Task) {
	q.pending = append(q.pending, t)
	q.waiting[t.key()]++
}

// pop takes the first waiting task off the queue.
func (q *queue) pop() *Task {
	t := q.pending[0]
	q.pending = q.pending[1:]
	k := t.key()
	if q.waiting[k]--; q.waiting[k] == 0 {
		delete(q.waiting, k)
	}
	return t
}

// key is the work a task does, for finding a waiting duplicate.
func (t *Task) key() sameWork {
	return sameWork{t.Kind, t.UserID, t.GroupID, t.Force, t.DeleteInApp, t.WithGroups}
}

// sameWork is what makes two tasks of one app the same work.
type sameWork struct {
	kind                           Kind
	userID, groupID                string
	force, deleteInApp, withGroups bool
}

// enqueue adds a task to its app's queue unless the same task is already waiting there, and starts the
// app's worker when it is idle.
func (e *Engine) enqueue(t Task) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queues[t.AppID]
	if q == nil {
		q = &queue{waiting: map[sameWork]int{}}
		e.queues[t.AppID] = q
	}
	if q.waiting[t.key()] > 0 {
		return
	}
	e.seq++
	now := e.cfg.Now()
	t.Seq, t.ID, t.Status, t.Created, t.Updated = e.seq, fmt.Sprintf("tsk%017d", e.seq), StatusQueued, now, now
	tp := &t
	e.tasks[t.ID] = tp
	q.list = append(q.list, tp)
	e.pushLocked(q, tp)
}

// pushLocked puts a task at the end of the pending list and makes sure a worker runs.
func (e *Engine) pushLocked(q *queue, t *Task) {
	q.push(t)
	if !q.running {
		q.running = true
		go e.work(t.AppID, q)
	}
	e.broadcastLocked()
}

func (e *Engine) broadcastLocked() {
	close(e.wake)
	e.wake = make(chan struct{})
}

// work runs the app's tasks one by one until none is pending.
func (e *Engine) work(appID string, q *queue) {
	for {
		e.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			e.broadcastLocked()
			e.mu.Unlock()
			return
		}
		t := q.pop()
		t.Status, t.Updated, t.Attempts = StatusRunning, e.cfg.Now(), t.Attempts+1
		t.First = e.transcriptLenLocked(appID)
		run := *t
		e.broadcastLocked()
		e.mu.Unlock()

		ctx := context.WithValue(e.ctx, taskKey{}, run.ID)
		subject, err := e.run(ctx, run)

		e.mu.Lock()
		if err == nil {
			t.secret = "" // a failed password task keeps it for Retry
		}
		t.Last, t.Updated, t.RetryAt = e.transcriptLenLocked(appID), e.cfg.Now(), time.Time{}
		if subject != "" {
			t.Subject = subject
		}
		t.Status, t.Message, t.err = StatusCompleted, "", nil
		if err != nil {
			t.Status, t.Message, t.err = StatusFailed, oktaMessage(err), err
		}
		if err == nil && t.Last == t.First && t.Attempts == 1 {
			e.dropLocked(q, t) // nothing to send: not a task an admin would see
		}
		e.broadcastLocked()
		e.mu.Unlock()
		if err != nil {
			e.cfg.Logger.WarnContext(ctx, "provisioning task failed", "app", appID, "task", t.ID, "err", err.Error())
		}
	}
}

func (e *Engine) transcriptLenLocked(appID string) int {
	if tr, ok := e.transcripts[appID]; ok {
		return tr.Len()
	}
	return 0
}

func (e *Engine) dropLocked(q *queue, t *Task) {
	q.list = slices.DeleteFunc(q.list, func(x *Task) bool { return x == t })
	delete(e.tasks, t.ID)
}

// setStatus changes the task with this id, if it still exists.
func (e *Engine) setStatus(id string, fn func(*Task)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.tasks[id]; ok {
		fn(t)
		t.Updated = e.cfg.Now()
		e.broadcastLocked()
	}
}

// Tasks returns the app's tasks in creation order (tasks that sent nothing are not kept).
func (e *Engine) Tasks(appID string) []Task {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queues[appID]
	if q == nil {
		return nil
	}
	out := make([]Task, 0, len(q.list))
	for _, t := range q.list {
		out = append(out, *t)
	}
	return out
}

// Task returns the task with this id.
func (e *Engine) Task(id string) (Task, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tasks[id]
	if !ok {
		return Task{}, false
	}
	return *t, true
}

// ErrNotRetryable reports a Retry or Dismiss of a task that is not Failed.
var ErrNotRetryable = fmt.Errorf("task is not failed")

// Retry queues a failed task again ("Retry Selected"); it runs against the directory as it is now.
func (e *Engine) Retry(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tasks[id]
	if !ok {
		return fmt.Errorf("retry task %q: %w", id, ErrNoTask)
	}
	if t.Status != StatusFailed {
		return fmt.Errorf("retry task %s (%s): %w", id, t.Status, ErrNotRetryable)
	}
	t.Status, t.Updated = StatusQueued, e.cfg.Now()
	e.pushLocked(e.queues[t.AppID], t)
	return nil
}

// RetryAll queues every failed task of the app again and returns how many.
func (e *Engine) RetryAll(appID string) int {
	n := 0
	for _, t := range e.Tasks(appID) {
		if t.Status == StatusFailed && e.Retry(t.ID) == nil {
			n++
		}
	}
	return n
}

// Dismiss marks a failed task as dismissed: it stays listed and is never retried.
func (e *Engine) Dismiss(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tasks[id]
	if !ok {
		return fmt.Errorf("dismiss task %q: %w", id, ErrNoTask)
	}
	if t.Status != StatusFailed {
		return fmt.Errorf("dismiss task %s (%s): %w", id, t.Status, ErrNotRetryable)
	}
	t.Status, t.Updated = StatusDismissed, e.cfg.Now()
	e.broadcastLocked()
	return nil
}

// ErrNoTask reports an unknown task id.
var ErrNoTask = fmt.Errorf("no such task")

// WaitQuiet blocks until the app's queue is empty and no task of it runs (or waits after a 429); it
// returns ctx's error if that comes first. Failures are not errors here: see Tasks.
func (e *Engine) WaitQuiet(ctx context.Context, appID string) error {
	for {
		e.mu.Lock()
		q := e.queues[appID]
		quiet := q == nil || (!q.running && len(q.pending) == 0)
		wake := e.wake
		e.mu.Unlock()
		if quiet {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("wait for the provisioning queue of app %s: %w", appID, ctx.Err())
		}
	}
}

// Seq returns the number of tasks created so far: tasks with a larger Seq came after.
func (e *Engine) Seq() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seq
}
