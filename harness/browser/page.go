package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"github.com/ssoconform/ssoconform/internal/redact"
)

// Page is one tab in its own incognito context. Every method takes a context that bounds its waiting:
// rod retries element look-ups until the element appears or the context ends.
type Page struct {
	rod       *rod.Page
	incognito *rod.Browser
}

// Close closes the page and its incognito context, dropping its cookies.
func (p *Page) Close() error {
	err := p.rod.Close()
	if cerr := p.incognito.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open navigates to url and waits for the page's load event.
func (p *Page) Open(ctx context.Context, url string) error {
	pg := p.rod.Context(ctx)
	if err := pg.Navigate(url); err != nil {
		return fmt.Errorf("open %s: %s", url, errorText(err))
	}
	if err := pg.WaitLoad(); err != nil {
		return fmt.Errorf("open %s: wait for load: %s", url, errorText(err))
	}
	return nil
}

// Click waits for the element matching selector and clicks it.
func (p *Page) Click(ctx context.Context, selector string) error {
	return retryNavigation(ctx, func() error {
		el, err := p.element(ctx, selector)
		if err != nil {
			return err
		}
		if err := el.Click(proto.InputMouseButtonLeft, 1); err != nil {
			return fmt.Errorf("click %s on %s: %w", selector, p.safeURL(), err)
		}
		return nil
	})
}

// Fill waits for the input matching selector, clears it and types text.
func (p *Page) Fill(ctx context.Context, selector, text string) error {
	return retryNavigation(ctx, func() error {
		el, err := p.element(ctx, selector)
		if err != nil {
			return err
		}
		if err := el.SelectAllText(); err != nil {
			return fmt.Errorf("select text of %s: %w", selector, err)
		}
		if err := el.Input(text); err != nil {
			return fmt.Errorf("type into %s on %s: %w", selector, p.safeURL(), err)
		}
		return nil
	})
}

// Select waits for the <select> matching selector and chooses the option whose visible text is option,
// as a person picking it from the drop-down.
func (p *Page) Select(ctx context.Context, selector, option string) error {
	return retryNavigation(ctx, func() error {
		el, err := p.element(ctx, selector)
		if err != nil {
			return err
		}
		if err := el.Select([]string{option}, true, rod.SelectorTypeText); err != nil {
			return fmt.Errorf("choose %q in %s on %s: %w", option, selector, p.safeURL(), err)
		}
		return nil
	})
}

// Text waits for the element matching selector and returns its visible text.
func (p *Page) Text(ctx context.Context, selector string) (string, error) {
	var text string
	err := retryNavigation(ctx, func() error {
		el, err := p.element(ctx, selector)
		if err != nil {
			return err
		}
		if text, err = el.Text(); err != nil {
			return fmt.Errorf("text of %s: %w", selector, err)
		}
		return nil
	})
	return text, err
}

// WaitAny waits until one of the selectors matches and returns the one that did. It is how a spec tells
// a signed-in page from an error page without waiting for navigation events.
func (p *Page) WaitAny(ctx context.Context, selectors ...string) (string, error) {
	if len(selectors) == 0 {
		return "", errors.New("wait for any element: no selectors")
	}
	var got string
	err := retryNavigation(ctx, func() error {
		race := p.rod.Context(ctx).Race()
		for _, sel := range selectors {
			race = race.Element(sel).Handle(func(*rod.Element) error { got = sel; return nil })
		}
		if _, err := race.Do(); err != nil {
			return fmt.Errorf("wait for any of %q on %s: %w", selectors, p.safeURL(), err)
		}
		return nil
	})
	return got, err
}

// Has reports whether an element matching selector is on the page now, without waiting.
func (p *Page) Has(selector string) (bool, error) {
	ok, _, err := p.rod.Has(selector)
	if err != nil {
		return false, fmt.Errorf("look for %s: %s", selector, errorText(err))
	}
	return ok, nil
}

// safeURL is the page's address with credential-bearing parameters hidden, for error messages.
func (p *Page) safeURL() string { return redact.URL(p.URL()) }

// URL is the page's current address ("" when it cannot be read).
func (p *Page) URL() string {
	info, err := p.rod.Info()
	if err != nil {
		return ""
	}
	return info.URL
}

// Screenshot returns a PNG of the whole page.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	b, err := p.rod.Context(ctx).Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		return nil, fmt.Errorf("screenshot of %s: %s", p.safeURL(), errorText(err))
	}
	return b, nil
}

// Fetch runs a same-origin GET from the page (with its cookies) and returns the status and body. Specs
// use it to ask the app who is signed in (/api/v1/me) in the browser's own session.
func (p *Page) Fetch(ctx context.Context, path string) (int, string, error) {
	var res *proto.RuntimeRemoteObject
	err := retryNavigation(ctx, func() error {
		var err error
		res, err = p.rod.Context(ctx).Eval(`async (path) => {
			const r = await fetch(path, {credentials: "same-origin", headers: {"Accept": "application/json"}});
			return {status: r.status, body: await r.text()};
		}`, path)
		if err != nil {
			return fmt.Errorf("fetch %s from %s: %w", path, p.safeURL(), err)
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return res.Value.Get("status").Int(), res.Value.Get("body").String(), nil
}

func (p *Page) element(ctx context.Context, selector string) (*rod.Element, error) {
	el, err := p.rod.Context(ctx).Element(selector)
	if err != nil {
		return nil, fmt.Errorf("find %s on %s: %w", selector, p.safeURL(), err)
	}
	return el.Context(ctx), nil
}

// navigationErrors are what Chromium answers when a step meets the page between two documents: the
// element or the JavaScript context it used belongs to the page that was just left. The step did not
// happen, so it is safe to run it again on the new page.
var navigationErrors = []string{
	"Inspected target navigated or closed",
	"Execution context was destroyed",
	"Cannot find context with specified id",
	"Node is detached from document",
	"Could not find node with given id",
	"No node with given id found",
}

// retryNavigation runs step until it succeeds, fails for another reason, or ctx ends. Errors are cut to
// their first line for reports.
func retryNavigation(ctx context.Context, step func() error) error {
	for {
		err := step()
		if err == nil || !isNavigationError(err) || ctx.Err() != nil {
			if err != nil {
				return errors.New(errorText(err))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New(errorText(err))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isNavigationError(err error) bool {
	msg := err.Error()
	for _, s := range navigationErrors {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
