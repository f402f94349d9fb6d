package mockidp_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// signaturesPerFlow is how many RSA-2048 signatures one code flow costs the
// mock: the ID token and the access token.
const signaturesPerFlow = 2

// BenchmarkOIDCCodeFlow runs headless code flows (authorize, login form,
// token, ID token verified with go-oidc) against the mockidp binary in its own
// process, as developers and CI run it, and reports flows/s beside the
// RSA-2048 signing rate measured in the same run. From the mock process's CPU
// time alone (the client's is reported apart, as client-cpu-ms/flow) it
// reports the CPU cost of a flow, of one signature, and "floor-ratio": the
// cost of the flow's two signatures divided by the cost of the flow. 1.0
// would mean the mock spends nothing beyond its signatures; the target is
// >= 0.9. Peers were measured the same way: their server process's CPU per
// flow. CPU time, unlike wall time, is not inflated by other processes on a
// busy machine.
func BenchmarkOIDCCodeFlow(b *testing.B) {
	ctx := context.Background()
	mock := startMockProcess(b)
	provider, err := oidc.NewProvider(ctx, mock.baseURL)
	if err != nil {
		b.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: benchClientID})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authURL := mock.baseURL + "/oauth2/v1/authorize?" + url.Values{"client_id": {benchClientID},
		"redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid email"}, "state": {"s"}}.Encode()
	flow := func() error {
		lp, err := benchBody(client.Get(authURL))
		if err != nil {
			return err
		}
		a, f := formAction.FindStringSubmatch(lp), fromURI.FindStringSubmatch(lp)
		if a == nil || f == nil {
			return io.ErrUnexpectedEOF
		}
		resp, err := client.PostForm(mock.hostURL+html.UnescapeString(a[1]), url.Values{"username": {aliceLogin},
			"password": {alicePassword}, "fromURI": {html.UnescapeString(f[1])}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		tok, err := benchToken(client, mock.baseURL+"/oauth2/v1/token", loc.Query().Get("code"))
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
	start, cpu0, mock0 := time.Now(), cpuTime(), mock.cpuTime(b)
	for b.Loop() {
		if err := flow(); err != nil {
			b.Fatal(err)
		}
	}
	mockCPU := (mock.cpuTime(b) - mock0).Seconds() / float64(b.N)
	clientCPU := (cpuTime() - cpu0).Seconds() / float64(b.N)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "flows/s")
	b.ReportMetric(signRate, "rsa2048-signs/s")
	b.ReportMetric(mockCPU*1e3, "cpu-ms/flow")
	b.ReportMetric(clientCPU*1e3, "client-cpu-ms/flow")
	b.ReportMetric(signCPU*1e3, "cpu-ms/sign")
	b.ReportMetric(signaturesPerFlow*signCPU/mockCPU, "floor-ratio")
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
func benchToken(c *http.Client, tokenURL, code string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	req, err := http.NewRequest("POST", tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(benchClientID, benchClientSecret)
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
