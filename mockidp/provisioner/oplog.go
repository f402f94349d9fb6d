package provisioner

import (
	"context"
	"strconv"

	"github.com/ssoconform/ssoconform/mockidp/directory"
	"github.com/ssoconform/ssoconform/mockidp/scimpush"
	"github.com/ssoconform/ssoconform/mockidp/syslog"
)

// Actor is Okta's provisioning engine as the System Log actor.
var Actor = syslog.Actor{ID: "0oa0mockidpscim00000", Type: "SystemPrincipal",
	AlternateID: "system@okta.com", DisplayName: "Okta System"}

// operation is one provisioning operation in progress: its exchanges are those the app's transcript
// gained since begin (an app's operations never overlap: one worker per app).
type operation struct {
	e     *Engine
	app   directory.App
	tr    *scimpush.Transcript
	start int
}

func (e *Engine) begin(app directory.App) operation {
	tr := e.transcript(app.ID)
	return operation{e: e, app: app, tr: tr, start: tr.Len()}
}

// done logs the operation with its outcome and its exchanges (request and response, headers and
// bodies, already redacted by the SCIM client), and returns err.
func (op operation) done(ctx context.Context, eventType, msg string, err error, targets ...syslog.Target) error {
	log := op.e.cfg.Log
	debug := map[string]string{}
	exchanges := op.tr.Since(op.start)
	for i, ex := range exchanges {
		line := ex.Method + " " + ex.URL + " -> " + strconv.Itoa(ex.Status)
		if ex.Err != "" {
			line += " (" + ex.Err + ")"
		}
		debug["exchange"+strconv.Itoa(i+1)] = line
		if ex.Status == 429 {
			log.Append(ctx, syslog.Event{EventType: EventRateLimit, Actor: Actor,
				DisplayMessage: "App rate limit reached; retrying later", Outcome: syslog.Failure("429 Too Many Requests"),
				Targets: []syslog.Target{syslog.AppTarget(op.app.ID, op.app.Label)}, Debug: map[string]string{"exchange": line},
				Exchanges: exchanges[i : i+1]})
		}
	}
	outcome := syslog.Success()
	if err != nil {
		outcome = syslog.Failure(err.Error())
		msg += " failed"
	}
	log.Append(ctx, syslog.Event{EventType: eventType, Actor: Actor, DisplayMessage: msg,
		Outcome: outcome, Targets: append(targets, syslog.AppTarget(op.app.ID, op.app.Label)), Debug: debug,
		Exchanges: exchanges})
	return err
}
