package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// instance is one `bosang serve` child process on a loopback port with its
// own data directory. It can be killed and started again on the same port.
type instance struct {
	name    string
	addr    string // 127.0.0.1:port
	bin     string
	env     []string
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logF *os.File
}

// freePort asks the kernel for an unused loopback port.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func newInstance(name, bin, workDir string, baseEnv []string) (*instance, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(workDir, name+"-data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	env := append(append([]string{}, baseEnv...),
		"BOSANG_ADDR="+addr, "BOSANG_DATA_DIR="+dataDir, "BOSANG_BASE_URL=http://"+addr)
	return &instance{name: name, addr: addr, bin: bin, env: env, logPath: filepath.Join(workDir, name+".log")}, nil
}

func (in *instance) baseURL() string { return "http://" + in.addr }

// start launches the process and waits until /readyz answers 200.
func (in *instance) start(ctx context.Context) error {
	in.mu.Lock()
	if in.cmd != nil {
		in.mu.Unlock()
		return fmt.Errorf("%s already running", in.name)
	}
	f, err := os.OpenFile(in.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		in.mu.Unlock()
		return err
	}
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = f, f
	// If this tool dies, its portals die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		in.mu.Unlock()
		return fmt.Errorf("start %s: %w", in.name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }() //nolint:errcheck // exit status of a killed child is expected
	in.cmd, in.done, in.logF = cmd, done, f
	in.mu.Unlock()
	return in.waitReady(ctx, done, 60*time.Second)
}

func (in *instance) waitReady(ctx context.Context, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited while starting; see %s", in.name, in.logPath)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := c.Get(in.baseURL() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s; see %s", in.name, limit, in.logPath)
}

// kill sends SIGKILL and waits for the process to be gone.
func (in *instance) kill() {
	in.mu.Lock()
	cmd, done, f := in.cmd, in.done, in.logF
	in.cmd, in.done, in.logF = nil, nil, nil
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck // may have exited already
	<-done
	f.Close()
}

// stop asks for a graceful shutdown (SIGTERM), killing after 40 s.
func (in *instance) stop() {
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // may have exited already
	select {
	case <-done:
	case <-time.After(40 * time.Second):
	}
	in.kill()
}
