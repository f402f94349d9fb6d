package container

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// healthTimeout bounds the daemon check. A missing socket or a refused connection fails at once; this
// only limits a daemon address that swallows packets.
const healthTimeout = 5 * time.Second

// NoDaemonError says no Docker daemon answered.
type NoDaemonError struct {
	// Host is the daemon address asked (DOCKER_HOST, or the default unix:///var/run/docker.sock).
	Host string
	Err  error
}

func (e *NoDaemonError) Error() string { return "no Docker daemon answered at " + e.Host }

func (e *NoDaemonError) Unwrap() error { return e.Err }

// Health checks that the Docker daemon named by the environment (DOCKER_HOST, else the default socket,
// as the docker command does) answers a ping. Without one it returns a *NoDaemonError at once.
func Health(ctx context.Context) error {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return &NoDaemonError{Host: dockerHost(), Err: err}
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return &NoDaemonError{Host: cli.DaemonHost(), Err: err}
	}
	return nil
}

// dockerHost is the daemon address the environment names.
func dockerHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return client.DefaultDockerHost
}

// ensureImage pulls ref once when the Docker host does not have it (testcontainers would retry a
// failing pull with backoff until the deadline).
func ensureImage(ctx context.Context, cli client.APIClient, ref string, logger *slog.Logger) error {
	_, err := cli.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return nil
	case !cerrdefs.IsNotFound(err):
		return fmt.Errorf("inspect image %s: %w", ref, err)
	}
	logger.InfoContext(ctx, "pulling image", slog.String("image", ref))
	resp, err := cli.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(ctx)
	}
	if err != nil {
		return &StartError{Image: ref, ExitCode: -1, Err: err, Reason: fmt.Sprintf("is not on this Docker host and could not be pulled (%v); "+
			"build it (make images builds ssoconform's own) or pull it first", err)}
	}
	return nil
}
