package mockidp_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/ssoconform/ssoconform/mockidp"
)

// signaturesPerFlow is how many RSA-2048 signatures one code flow costs the
// mock: the ID token and the access token.
const signaturesPerFlow = 2

// BenchmarkOIDCCodeFlow runs headless code flows (authorize, login form,
// token, ID token verified with go-oidc) and reports flows/s beside the
// RSA-2048 signing rate measured in the same run, and, from the process's CPU
// time, the CPU cost of a flow (client included), of one signature, and
// "floor-ratio": the cost of the flow's two signatures divided by the cost of
// the flow. 1.0 would mean the flow costs nothing beyond its signatures; the
// target is >= 0.9. CPU time, unlike wall time, is not inflated by other
// processes on a busy machine.
func BenchmarkOIDCCodeFlow(b *testing.B) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	idp, err := mockidp.New(mockidp.Config{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		b.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: idp}}
	srv.Start()
	defer srv.Close()
	org, _ := idp.CreateOrg(ctx, "acme")
	app, _ := org.CreateOIDCApp(ctx, mockidp.OIDCAppInput{Label: "bench", RedirectURIs: []string{redirectURI}})
	u, _ := org.CreateUser(ctx, mockidp.UserInput{Login: "alice@acme.test", Password: alicePassword})
	if err := org.AssignUser(ctx, app.ID, u.ID); err != nil {
		b.Fatal(err)
	}
	provider, err := oidc.NewProvider(ctx, org.BaseURL())
	if err != nil {
		b.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: app.ClientID})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authURL := org.BaseURL() + "/oauth2/v1/authorize?" + url.Values{"client_id": {app.ClientID},
		"redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid email"}, "state": {"s"}}.Encode()
	hostURL := "http://" + ln.Addr().String()
	flow := func() error {
		lp, err := benchBody(client.Get(authURL))
		if err != nil {
			return err
		}
		a, f := formAction.FindStringSubmatch(lp), fromURI.FindStringSubmatch(lp)
		if a == nil || f == nil {
			return io.ErrUnexpectedEOF
		}
		resp, err := client.PostForm(hostURL+html.UnescapeString(a[1]), url.Values{"username": {u.Login},
			"password": {alicePassword}, "fromURI": {html.UnescapeString(f[1])}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		tok, err := benchToken(client, org.BaseURL()+"/oauth2/v1/token", app, loc.Query().Get("code"))
		if err != nil {
			return err
		}
		_, err = verifier.Verify(ctx, tok)
		return err
	}
	if err := flow(); err != nil { // warm the JWKS cache
		b.Fatal(err)
	}
	signRate, signCPU := measureSignRate(b)
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		if err := flow(); err != nil {
			b.Fatal(err)
		}
	}
	flowCPU := (cpuTime() - cpu0).Seconds() / float64(b.N)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "flows/s")
	b.ReportMetric(signRate, "rsa2048-signs/s")
	b.ReportMetric(flowCPU*1e3, "cpu-ms/flow")
	b.ReportMetric(signCPU*1e3, "cpu-ms/sign")
	b.ReportMetric(signaturesPerFlow*signCPU/flowCPU, "floor-ratio")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail for RUSAGE_SELF
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchBody(resp *http.Response, err error) (string, error) {
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// benchToken redeems a code and returns the ID token.
func benchToken(c *http.Client, tokenURL string, app mockidp.App, code string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	req, err := http.NewRequest("POST", tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(app.ClientID), url.QueryEscape(app.ClientSecret))
	body, err := benchBody(c.Do(req))
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(body, `"id_token":"`)
	if !ok {
		return "", io.ErrUnexpectedEOF
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok, nil
}

// measureSignRate times RSA-2048 PKCS#1 v1.5 SHA-256 signatures (what an
// RS256 token costs) for about 200 ms and returns the rate and the CPU
// seconds per signature.
func measureSignRate(b *testing.B) (perSec, cpuPerSign float64) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte("payload"))
	n, start, cpu0 := 0, time.Now(), cpuTime()
	for time.Since(start) < 200*time.Millisecond {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), (cpuTime() - cpu0).Seconds() / float64(n)
}

// BenchmarkRSA2048Sign is the floor of the flow's cost: one RS256 signature.
func BenchmarkRSA2048Sign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte("payload"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}
