package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoconform/ssoconform/refapp/store"
)

var outboxTests = []test{
	{"LinkTokens", testLinkTokens},
	{"Outbox", testOutbox},
	{"OutboxClaimedOnceUnderConcurrency", testOutboxConcurrent},
}

func testLinkTokens(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustOrg(t, st, "o1", "acme")
	mustMember(t, st, store.Member{ID: "m1", OrgID: "o1", Email: "a@acme.test", Active: true})
	mustMember(t, st, store.Member{ID: "m2", OrgID: "o1", Email: "b@acme.test", Active: true})
	first := []store.LinkToken{
		{Hash: []byte("t1"), OrgID: "o1", MemberID: "m1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{Hash: []byte("t2"), OrgID: "o1", MemberID: "m2", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	}
	mails := []store.OutboxMail{
		{ID: "mail1", Kind: "sso-link", To: "a@acme.test", Payload: `{"token":"t1"}`, CreatedAt: t0, NextAttemptAt: t0},
		{ID: "mail2", Kind: "sso-link", To: "b@acme.test", Payload: `{"token":"t2"}`, CreatedAt: t0, NextAttemptAt: t0},
	}
	if err := st.EnqueueLinks(ctx, first, mails); err != nil {
		t.Fatalf("EnqueueLinks: %v", err)
	}
	got, err := st.LinkTokenByHash(ctx, []byte("t1"))
	if err != nil {
		t.Fatalf("LinkTokenByHash: %v", err)
	}
	if diff := cmp.Diff(first[0], got); diff != "" {
		t.Errorf("LinkTokenByHash (-want +got):\n%s", diff)
	}
	if pending, err := st.PendingMail(ctx, 0); err != nil || len(pending) != 2 {
		t.Errorf("the invitations' mails: %d pending, %v; want 2", len(pending), err)
	}
	used := t0.Add(time.Minute)
	consumed, err := st.ConsumeLinkToken(ctx, []byte("t2"), used)
	if err != nil || consumed.MemberID != "m2" || !consumed.UsedAt.Equal(used) {
		t.Fatalf("ConsumeLinkToken = %+v, %v", consumed, err)
	}
	if _, err := st.ConsumeLinkToken(ctx, []byte("t2"), used); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("second ConsumeLinkToken: err = %v, want ErrAlreadyUsed", err)
	}
	if _, err := st.ConsumeLinkToken(ctx, []byte("nope"), used); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ConsumeLinkToken unknown: err = %v, want ErrNotFound", err)
	}
	if got, err := st.LinkTokenByHash(ctx, []byte("t2")); err != nil || !got.UsedAt.Equal(used) {
		t.Errorf("a used token is still found, with its use: %+v, %v", got, err)
	}
	again := []store.LinkToken{
		{Hash: []byte("t1b"), OrgID: "o1", MemberID: "m1", CreatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(2 * time.Hour)},
		{Hash: []byte("t2b"), OrgID: "o1", MemberID: "m2", CreatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(2 * time.Hour)},
	}
	if err := st.EnqueueLinks(ctx, again, nil); err != nil {
		t.Fatalf("EnqueueLinks again: %v", err)
	}
	for hash, want := range map[string]error{"t1": store.ErrNotFound, "t2": nil, "t1b": nil, "t2b": nil} {
		if _, err := st.LinkTokenByHash(ctx, []byte(hash)); !errors.Is(err, want) {
			t.Errorf("after a new invitation, token %s: err = %v, want %v (unused tokens replaced, used ones kept)", hash, err, want)
		}
	}
	if err := st.EnqueueLinks(ctx, []store.LinkToken{{Hash: []byte("bad"), OrgID: "o1", MemberID: "m1", CreatedAt: t0, ExpiresAt: t0}},
		[]store.OutboxMail{{ID: "mail1", Kind: "sso-link", To: "x", Payload: "{}", CreatedAt: t0, NextAttemptAt: t0}}); err == nil {
		t.Error("EnqueueLinks with a taken mail id: want an error")
	}
	if _, err := st.LinkTokenByHash(ctx, []byte("bad")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed EnqueueLinks kept its token: err = %v, want ErrNotFound (all or nothing)", err)
	}
}

func testOutbox(t *testing.T, st store.Store) {
	ctx := context.Background()
	mails := []store.OutboxMail{
		{ID: "m1", Kind: "sso-link", To: "a@acme.test", Payload: `{"token":"secret"}`, CreatedAt: t0, NextAttemptAt: t0},
		{ID: "m2", Kind: "sso-link", To: "b@acme.test", Payload: `{}`, CreatedAt: t0, NextAttemptAt: t0.Add(time.Hour)},
		{ID: "m3", Kind: "sso-link", To: "c@acme.test", Payload: `{}`, CreatedAt: t0, NextAttemptAt: t0},
	}
	for _, m := range mails {
		if err := st.EnqueueMail(ctx, m); err != nil {
			t.Fatalf("EnqueueMail %s: %v", m.ID, err)
		}
	}
	lease := t0.Add(time.Minute)
	claimed, err := st.ClaimMail(ctx, t0, lease, 10)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	if diff := cmp.Diff([]store.OutboxMail{mails[0], mails[2]}, claimed); diff != "" {
		t.Errorf("ClaimMail: due messages, oldest first (-want +got):\n%s", diff)
	}
	if again, err := st.ClaimMail(ctx, t0.Add(time.Second), lease, 10); err != nil || len(again) != 0 {
		t.Errorf("ClaimMail during the lease = %d messages, %v; want none", len(again), err)
	}
	if err := st.MailSent(ctx, "m1", t0.Add(time.Second)); err != nil {
		t.Fatalf("MailSent: %v", err)
	}
	next := t0.Add(5 * time.Minute)
	if err := st.MailFailed(ctx, "m3", next, "451 try later"); err != nil {
		t.Fatalf("MailFailed: %v", err)
	}
	pending, err := st.PendingMail(ctx, 0)
	if err != nil {
		t.Fatalf("PendingMail: %v", err)
	}
	failed := mails[2]
	failed.Attempts, failed.NextAttemptAt, failed.LastError = 1, next, "451 try later"
	if diff := cmp.Diff([]store.OutboxMail{mails[1], failed}, pending); diff != "" {
		t.Errorf("PendingMail: unsent, oldest first (-want +got):\n%s", diff)
	}
	if pending, _ := st.PendingMail(ctx, 1); len(pending) != 1 {
		t.Errorf("PendingMail limit 1: %d messages", len(pending))
	}
	if again, err := st.ClaimMail(ctx, lease, lease.Add(time.Minute), 10); err != nil || len(again) != 0 {
		t.Errorf("ClaimMail after the lease, before the retry = %d, %v; want none (m1 sent, m3 due at %v)", len(again), err, next)
	}
	if late, err := st.ClaimMail(ctx, t0.Add(2*time.Hour), t0.Add(3*time.Hour), 1); err != nil || len(late) != 1 || late[0].ID != "m2" {
		t.Errorf("ClaimMail limit 1 when all are due = %+v, %v; want m2 (oldest)", late, err)
	}
	for name, err := range map[string]error{
		"MailSent unknown":   st.MailSent(ctx, "nope", t0),
		"MailFailed unknown": st.MailFailed(ctx, "nope", t0, "x"),
		"MailFailed of sent": st.MailFailed(ctx, "m1", t0, "x"),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func testOutboxConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		if err := st.EnqueueMail(ctx, store.OutboxMail{ID: id, Kind: "k", To: id + "@x.test", Payload: "{}", CreatedAt: t0, NextAttemptAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ms, err := st.ClaimMail(ctx, t0, t0.Add(time.Hour), 2)
			if err != nil {
				t.Errorf("ClaimMail: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range ms {
				seen[m.ID]++
			}
		})
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s claimed %d times at once", id, n)
		}
	}
	if len(seen) != 6 {
		t.Errorf("%d messages claimed by 8 senders taking 2 each, want all 6", len(seen))
	}
}
