// Package testservice runs the real taishang-ai service (this repository's src/main.ts through
// Node and tsx, or its build in dist/) as a child process on ephemeral loopback ports, for the Go
// integration tests.
// Every wait is bounded; the child is stopped with SIGTERM and, on Linux, also dies with the
// test binary.
package testservice

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Line is one JSON log line of the service (pino: level, time, msg and the call's fields).
type Line map[string]any

// Service is a running taishang-ai process.
type Service struct {
	GRPCAddr string // "127.0.0.1:port"
	HTTPURL  string // "http://127.0.0.1:port"

	cmd    *exec.Cmd
	exited chan struct{}
	done   chan struct{} // closed once stdout is fully read

	mu      sync.Mutex
	logs    []Line
	changed chan struct{} // closed and replaced whenever a line arrives
	stderr  bytes.Buffer
	waitErr error
}

// Options configure Start.
type Options struct {
	Repo     string            // repository root (holds src/main.ts and node_modules)
	DataDir  string            // DATA_DIR, normally a fresh temporary directory
	Env      map[string]string // extra environment
	Ready    time.Duration     // bound on start-up until /readyz answers 200 (default 120 s)
	NodePath string            // default "node" from PATH
}

// RepoRoot finds the repository root: $TAISHANG_AI_REPO, else the nearest directory above the
// working directory holding src/main.ts and package.json.
func RepoRoot() (string, error) {
	if dir := os.Getenv("TAISHANG_AI_REPO"); dir != "" {
		return filepath.Abs(dir)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "src", "main.ts")) && fileExists(filepath.Join(dir, "package.json")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testservice: no src/main.ts above the working directory; set TAISHANG_AI_REPO")
		}
		dir = parent
	}
}

// Start launches the service with GRPC_PORT=0 and HTTP_PORT=0, reads the ports from its
// 'taishang-ai listening' log line and waits until /readyz answers 200 (the store is open and the
// default models are loaded). It runs `node <repo>/$TAISHANG_AI_MAIN` when that is set (a built
// entry such as dist/main.js, which scripts/test-go.sh builds from the current sources first),
// else `node --import tsx <repo>/src/main.ts`.
func Start(ctx context.Context, opts Options) (*Service, error) {
	if opts.Ready == 0 {
		opts.Ready = 120 * time.Second
	}
	node := opts.NodePath
	if node == "" {
		node = "node"
	}
	args := []string{"--import", "tsx", filepath.Join(opts.Repo, "src", "main.ts")}
	if entry := os.Getenv("TAISHANG_AI_MAIN"); entry != "" {
		args = []string{filepath.Join(opts.Repo, entry)}
		if !fileExists(args[0]) {
			return nil, fmt.Errorf("testservice: TAISHANG_AI_MAIN names %s, which does not exist; run `npm run build` in the repository first", args[0])
		}
	} else if !fileExists(filepath.Join(opts.Repo, "node_modules", "tsx")) {
		return nil, fmt.Errorf("testservice: %s has no node_modules/tsx; run `npm ci` in the repository first", opts.Repo)
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = opts.Repo
	env := map[string]string{
		"PATH":              os.Getenv("PATH"),
		"HOME":              os.Getenv("HOME"),
		"HOST":              "127.0.0.1",
		"GRPC_PORT":         "0",
		"HTTP_PORT":         "0",
		"DATA_DIR":          opts.DataDir,
		"MODEL_CACHE_DIR":   filepath.Join(opts.Repo, "models"),
		"LOG_LEVEL":         "info",
		"SHUTDOWN_GRACE_MS": "3000",
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = childProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Service{cmd: cmd, exited: make(chan struct{}), done: make(chan struct{}), changed: make(chan struct{})}
	cmd.Stderr = &lockedWriter{mu: &s.mu, w: &s.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testservice: start %s: %w", node, err)
	}
	go s.readLogs(stdout)
	go func() {
		<-s.done // Wait closes stdout; read it all first
		err := cmd.Wait()
		s.mu.Lock()
		s.waitErr = err
		s.mu.Unlock()
		close(s.exited)
	}()

	ctx, cancel := context.WithTimeout(ctx, opts.Ready)
	defer cancel()
	listening, err := s.WaitForLog(ctx, func(l Line) bool { return l["msg"] == "taishang-ai listening" })
	if err != nil {
		s.Stop(5 * time.Second)
		return nil, err
	}
	grpcPort, _ := listening["grpcPort"].(float64)
	httpPort, _ := listening["httpPort"].(float64)
	s.GRPCAddr = fmt.Sprintf("127.0.0.1:%d", int(grpcPort))
	s.HTTPURL = fmt.Sprintf("http://127.0.0.1:%d", int(httpPort))
	if err := s.waitReady(ctx); err != nil {
		s.Stop(5 * time.Second)
		return nil, err
	}
	return s, nil
}

func (s *Service) readLogs(stdout io.Reader) {
	defer close(s.done)
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 64<<10), 4<<20)
	for scanner.Scan() {
		text := scanner.Bytes()
		if len(text) == 0 || text[0] != '{' {
			continue
		}
		var line Line
		if json.Unmarshal(text, &line) != nil {
			continue
		}
		s.mu.Lock()
		s.logs = append(s.logs, line)
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
}

func (s *Service) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.HTTPURL+"/readyz", nil)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testservice: /readyz not 200 in time: %w\n%s", ctx.Err(), s.Tail(20))
		case <-s.exited:
			return fmt.Errorf("testservice: the service exited before it was ready\n%s", s.Tail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// WaitForLog returns the first log line (from the start) that matches, waiting for it until ctx
// ends or the service exits.
func (s *Service) WaitForLog(ctx context.Context, match func(Line) bool) (Line, error) {
	seen := 0
	for {
		s.mu.Lock()
		lines, changed := s.logs[seen:], s.changed
		seen = len(s.logs)
		s.mu.Unlock()
		for _, l := range lines {
			if match(l) {
				return l, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("testservice: no matching log line: %w\n%s", ctx.Err(), s.Tail(20))
		case <-s.exited:
			// exited closes only after stdout was read to the end: check the last lines, then give up.
			s.mu.Lock()
			lines = s.logs[seen:]
			s.mu.Unlock()
			for _, l := range lines {
				if match(l) {
					return l, nil
				}
			}
			return nil, fmt.Errorf("testservice: the service exited\n%s", s.Tail(20))
		}
	}
}

// Logs returns a copy of the log lines so far.
func (s *Service) Logs() []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Line(nil), s.logs...)
}

// Tail renders the last n log lines and the stderr output, for failure messages.
func (s *Service) Tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	from := max(0, len(s.logs)-n)
	for _, l := range s.logs[from:] {
		raw, _ := json.Marshal(l)
		b.Write(raw)
		b.WriteByte('\n')
	}
	if s.stderr.Len() > 0 {
		b.WriteString("stderr: ")
		b.Write(s.stderr.Bytes()[max(0, s.stderr.Len()-4096):])
	}
	return b.String()
}

// Stop sends SIGTERM and waits up to timeout for the exit (then kills). It returns the exit
// error; nil means status 0.
func (s *Service) Stop(timeout time.Duration) error {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(timeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			return fmt.Errorf("testservice: no exit within %s of SIGTERM; killed", timeout)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitErr
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
