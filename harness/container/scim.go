package container

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ssoconform/ssoconform/harness"
)

// DefaultSCIMPath is where a SCIM target's base URL points when it names none.
const DefaultSCIMPath = "/scim/v2"

// StartSCIM starts cfg's image and returns target pointed at it: a base URL that is a path ("/scim/v2",
// the default when empty) becomes http://127.0.0.1:PORT/scim/v2, for the target and for its Second and
// Throttled credentials. The caller closes the container when the specs are done.
//
//	target, c, err := container.StartSCIM(ctx, container.Config{Image: "acme/scim:1.4", ReadyPath: "/healthz",
//		Env: map[string]string{"SCIM_TOKEN": tok}},
//		harness.SCIMTarget{Authorization: "Bearer " + tok, Features: []harness.SCIMFeature{harness.FeatureGroups}})
//	if err != nil {
//		t.Fatal(err) // or t.Skip when errors.As(err, new(*container.NoDaemonError))
//	}
//	t.Cleanup(func() { c.Close(context.Background()) })
//	specs.Test(t, specs.Config{SCIM: &target})
func StartSCIM(ctx context.Context, cfg Config, target harness.SCIMTarget) (harness.SCIMTarget, *Container, error) {
	if _, err := Resolve("http://127.0.0.1:1", target); err != nil {
		return target, nil, err
	}
	c, err := Start(ctx, cfg)
	if err != nil {
		return target, nil, err
	}
	t, err := Resolve(c.BaseURL, target)
	if err != nil {
		return target, nil, fmt.Errorf("%w (and: %w)", err, c.Close(context.WithoutCancel(ctx)))
	}
	return t, c, nil
}

// Resolve points target's relative base URLs (and its Second's and Throttled's) at base, e.g. a
// container's http://127.0.0.1:PORT, and checks the result. An empty base URL means DefaultSCIMPath for
// the target and the target's own URL for Second and Throttled; absolute URLs stay as they are.
func Resolve(base string, target harness.SCIMTarget) (harness.SCIMTarget, error) {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return target, fmt.Errorf("scim target: base %q is not an absolute URL", base)
	}
	resolve := func(u, def string) (string, error) {
		if u == "" {
			u = def
		}
		ref, err := url.Parse(u)
		if err != nil {
			return "", fmt.Errorf("scim target: base URL %q: %w", u, err)
		}
		if ref.IsAbs() {
			return u, nil
		}
		if !strings.HasPrefix(ref.Path, "/") {
			return "", fmt.Errorf("scim target: base URL %q must be absolute or a path starting with /", u)
		}
		return strings.TrimSuffix(b.ResolveReference(ref).String(), "/"), nil
	}
	if target.BaseURL, err = resolve(target.BaseURL, DefaultSCIMPath); err != nil {
		return target, err
	}
	for _, sub := range []**harness.SCIMTarget{&target.Second, &target.Throttled} {
		if *sub == nil {
			continue
		}
		s := **sub
		if s.BaseURL, err = resolve(s.BaseURL, target.BaseURL); err != nil {
			return target, err
		}
		*sub = &s
	}
	return target, target.Validate()
}
