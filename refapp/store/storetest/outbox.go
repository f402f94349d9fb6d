package storetest

import (
	"testing"
	"time"

	"github.com/ssoconform/ssoconform/refapp/store"
)

// linkToken is a link token of a member of o1, made at made and valid for an hour.
func linkToken(hash, memberID string, made time.Time) store.LinkToken {
	return store.LinkToken{Hash: []byte(hash), OrgID: "o1", MemberID: memberID, CreatedAt: made,
		ExpiresAt: made.Add(time.Hour)}
}

// mail is an outbox message made at t0 and due at due.
func mail(id, to, payload string, due time.Time) store.OutboxMail {
	return store.OutboxMail{ID: id, Kind: "sso-link", To: to, Payload: payload, CreatedAt: t0, NextAttemptAt: due}
}

func testLinkTokens(t *testing.T, st store.Store) {
	mustOrg(t, st, "o1", "acme")
	mustMembers(t, st, member("m1", "o1", "a@acme.test"), member("m2", "o1", "b@acme.test"))
	first := []store.LinkToken{linkToken("t1", "m1", t0), linkToken("t2", "m2", t0)}
	mails := []store.OutboxMail{mail("mail1", "a@acme.test", `{"token":"t1"}`, t0),
		mail("mail2", "b@acme.test", `{"token":"t2"}`, t0)}
	Must(t, st.EnqueueLinks(ctx, first, mails))
	wants(t, "LinkTokenByHash", first[0])(st.LinkTokenByHash(ctx, []byte("t1")))
	wants(t, "the invitations' mails", mails)(st.PendingMail(ctx, 0))
	used := first[1]
	used.UsedAt = t0.Add(time.Minute)
	wants(t, "ConsumeLinkToken", used)(st.ConsumeLinkToken(ctx, []byte("t2"), used.UsedAt))
	checkErrs(t, []check{
		{"second ConsumeLinkToken", errOf(st.ConsumeLinkToken(ctx, []byte("t2"), used.UsedAt)), store.ErrAlreadyUsed},
		{"ConsumeLinkToken unknown", errOf(st.ConsumeLinkToken(ctx, []byte("nope"), used.UsedAt)), store.ErrNotFound},
	})
	wants(t, "a used token is still found, with its use", used)(st.LinkTokenByHash(ctx, []byte("t2")))
	again := []store.LinkToken{linkToken("t1b", "m1", t0.Add(time.Hour)), linkToken("t2b", "m2", t0.Add(time.Hour))}
	Must(t, st.EnqueueLinks(ctx, again, nil))
	const replaced = "after a new invitation (unused tokens replaced, used ones kept), token "
	checkErrs(t, []check{
		{replaced + "t1", errOf(st.LinkTokenByHash(ctx, []byte("t1"))), store.ErrNotFound},
		{replaced + "t2", errOf(st.LinkTokenByHash(ctx, []byte("t2"))), nil},
		{replaced + "t1b", errOf(st.LinkTokenByHash(ctx, []byte("t1b"))), nil},
		{replaced + "t2b", errOf(st.LinkTokenByHash(ctx, []byte("t2b"))), nil},
	})
	if err := st.EnqueueLinks(ctx, []store.LinkToken{linkToken("bad", "m1", t0)},
		[]store.OutboxMail{mail("mail1", "x", "{}", t0)}); err == nil {
		t.Error("EnqueueLinks with a taken mail id: want an error")
	}
	wantErr(t, "a failed EnqueueLinks kept its token (all or nothing)", errOf(st.LinkTokenByHash(ctx, []byte("bad"))),
		store.ErrNotFound)
}

func testOutbox(t *testing.T, st store.Store) {
	mails := []store.OutboxMail{mail("m1", "a@acme.test", `{"token":"secret"}`, t0),
		mail("m2", "b@acme.test", `{}`, t0.Add(time.Hour)), mail("m3", "c@acme.test", `{}`, t0)}
	for _, m := range mails {
		Must(t, st.EnqueueMail(ctx, m))
	}
	lease := t0.Add(time.Minute)
	wants(t, "ClaimMail: due messages, oldest first", []store.OutboxMail{mails[0], mails[2]})(
		st.ClaimMail(ctx, t0, lease, 10))
	wants(t, "ClaimMail during the lease", []store.OutboxMail(nil))(st.ClaimMail(ctx, t0.Add(time.Second), lease, 10))
	Must(t, st.MailSent(ctx, "m1", t0.Add(time.Second)))
	next := t0.Add(5 * time.Minute)
	Must(t, st.MailFailed(ctx, "m3", next, "451 try later"))
	failed := mails[2]
	failed.Attempts, failed.NextAttemptAt, failed.LastError = 1, next, "451 try later"
	wants(t, "PendingMail: unsent, oldest first", []store.OutboxMail{mails[1], failed})(st.PendingMail(ctx, 0))
	wants(t, "PendingMail limit 1", mails[1:2])(st.PendingMail(ctx, 1))
	wants(t, "ClaimMail after the lease, before the retry (m1 sent, m3 due later)", []store.OutboxMail(nil))(
		st.ClaimMail(ctx, lease, lease.Add(time.Minute), 10))
	wants(t, "ClaimMail limit 1 when all are due: the oldest", mails[1:2])(
		st.ClaimMail(ctx, t0.Add(2*time.Hour), t0.Add(3*time.Hour), 1))
	checkErrs(t, []check{
		{"MailSent unknown", st.MailSent(ctx, "nope", t0), store.ErrNotFound},
		{"MailFailed unknown", st.MailFailed(ctx, "nope", t0, "x"), store.ErrNotFound},
		{"MailFailed of sent", st.MailFailed(ctx, "m1", t0, "x"), store.ErrNotFound},
	})
}

func testOutboxConcurrent(t *testing.T, st store.Store) {
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		Must(t, st.EnqueueMail(ctx, mail(id, id+"@x.test", "{}", t0)))
	}
	claims := atOnce(8, func(int) []store.OutboxMail {
		ms, err := st.ClaimMail(ctx, t0, t0.Add(time.Hour), 2)
		if err != nil {
			t.Errorf("ClaimMail: %v", err)
		}
		return ms
	})
	seen := map[string]int{}
	for _, ms := range claims {
		for _, m := range ms {
			seen[m.ID]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s claimed %d times at once", id, n)
		}
	}
	if len(seen) != 6 {
		t.Errorf("%d messages claimed by 8 senders taking 2 each, want all 6", len(seen))
	}
}
