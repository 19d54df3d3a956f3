package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// CheckpointLog is a place off the database that signed checkpoints are
// exported to and read back from: whoever can rewrite the database cannot
// rewrite it. FileLog is one (an append-only file on the server); an object
// store with write-once retention is meant to be another, behind the same
// two methods.
type CheckpointLog interface {
	// Append adds cps, in order, after what the log holds; it never
	// changes or removes what is there.
	Append(ctx context.Context, cps []models.AuditCheckpoint) error
	// Checkpoints returns everything the log holds, in the order appended.
	Checkpoints(ctx context.Context) ([]models.AuditCheckpoint, error)
}

// ErrEmptyChain is Checkpoint's answer when nothing is sealed yet; it is
// an apperr.ErrConflict.
var ErrEmptyChain = fmt.Errorf("audit chain is empty, nothing to checkpoint: %w", apperr.ErrConflict)

// Checkpoint verifies the whole chain (against the exported checkpoints
// too) and records its head as a checkpoint signed with the audit key,
// which it returns. A broken chain or checkpoint is apperr.ErrConflict
// (nothing is recorded: a checkpoint must never bless tampering); an empty
// chain is ErrEmptyChain. When the head is already the latest checkpoint, that
// checkpoint is returned and nothing is recorded.
func (s *Service) Checkpoint(ctx context.Context) (*models.AuditCheckpoint, error) {
	res, err := s.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if b := res.FirstBroken; b != nil {
		return nil, fmt.Errorf("audit chain broken at position %d (%s): %s: %w", b.ChainPos, b.ID, b.Reason, apperr.ErrConflict)
	}
	if len(res.BrokenCheckpoints) > 0 {
		b := res.BrokenCheckpoints[0]
		return nil, fmt.Errorf("audit checkpoint at position %d is broken: %s: %w", b.ChainPos, b.Reason, apperr.ErrConflict)
	}
	if res.Entries == 0 {
		return nil, ErrEmptyChain
	}
	cps, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	if n := len(cps); n > 0 && cps[n-1].ChainPos == res.Entries && cps[n-1].Hash == res.Head {
		return &cps[n-1], nil
	}
	cp := &models.AuditCheckpoint{ChainPos: res.Entries, Hash: res.Head, At: s.now().UTC().Truncate(time.Microsecond)}
	cp.Sig = s.key.Sign(*cp)
	if err := s.store.AddAuditCheckpoint(ctx, cp); err != nil {
		return nil, fmt.Errorf("record audit checkpoint: %w", err)
	}
	return cp, nil
}

// Export appends to the service's CheckpointLog every checkpoint of the
// database past the last one the log holds, and returns how many. Without
// a log it does nothing.
func (s *Service) Export(ctx context.Context) (int, error) {
	if s.log == nil {
		return 0, nil
	}
	held, err := s.log.Checkpoints(ctx)
	if err != nil {
		return 0, fmt.Errorf("read exported audit checkpoints: %w", err)
	}
	var last int64
	for _, cp := range held {
		last = max(last, cp.ChainPos)
	}
	cps, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return 0, err
	}
	var fresh []models.AuditCheckpoint
	for _, cp := range cps {
		if cp.ChainPos > last {
			cp.At = cp.At.UTC()
			fresh = append(fresh, cp)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := s.log.Append(ctx, fresh); err != nil {
		return 0, fmt.Errorf("export audit checkpoints: %w", err)
	}
	return len(fresh), nil
}

// CheckpointAndExport records a signed checkpoint of the current head
// (none for an empty chain) and appends to the checkpoint log what it
// lacks; it returns the checkpoint (nil for an empty chain) and how many
// it appended. The server runs it as a periodic job on one instance at a
// time.
func (s *Service) CheckpointAndExport(ctx context.Context) (*models.AuditCheckpoint, int, error) {
	cp, err := s.Checkpoint(ctx)
	if err != nil && !errors.Is(err, ErrEmptyChain) {
		return nil, 0, err
	}
	n, err := s.Export(ctx)
	return cp, n, err
}

// ExportCheckpoints writes every checkpoint to w as JSON lines
// ({"chain_pos":…,"hash":…,"at":…,"sig":…}), oldest first, for safekeeping
// off the database.
func (s *Service) ExportCheckpoints(ctx context.Context, w io.Writer) error {
	cps, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for _, cp := range cps {
		cp.At = cp.At.UTC()
		if err := enc.Encode(cp); err != nil {
			return fmt.Errorf("export audit checkpoints: %w", err)
		}
	}
	return nil
}

var hexSig = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ReadCheckpoints parses checkpoints written by ExportCheckpoints or a
// FileLog. A malformed line is apperr.ErrInvalid naming the line.
func ReadCheckpoints(r io.Reader) ([]models.AuditCheckpoint, error) {
	var out []models.AuditCheckpoint
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var cp models.AuditCheckpoint
		if err := json.Unmarshal(sc.Bytes(), &cp); err != nil || cp.ChainPos <= 0 || len(cp.Hash) != len(Genesis) ||
			cp.Sig != "" && !hexSig.MatchString(cp.Sig) {
			return nil, fmt.Errorf("checkpoint line %d is malformed: %w", n, apperr.ErrInvalid)
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}

// FileLog is a CheckpointLog in an append-only file of JSON lines: it is
// only ever opened to append (O_APPEND), each batch in one write followed
// by fsync, and never truncated.
type FileLog struct {
	path string
	mu   sync.Mutex
}

// NewFileLog returns the log kept at path (created, with its directory,
// on the first append).
func NewFileLog(path string) *FileLog { return &FileLog{path: path} }

// Path is where the log is kept.
func (f *FileLog) Path() string { return f.path }

// Append writes cps as JSON lines at the end of the file. A file whose last
// line is incomplete (a write cut short) is left alone and refused with an
// error, for a person to look at: appending after it would bury it.
func (f *FileLog) Append(_ context.Context, cps []models.AuditCheckpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer file.Close()
	if torn, err := tornTail(f.path); err != nil || torn {
		return errors.Join(err, fmt.Errorf("%s ends with an incomplete line; refusing to append", f.path))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, cp := range cps {
		cp.At = cp.At.UTC()
		if err := enc.Encode(cp); err != nil {
			return err
		}
	}
	if _, err := file.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := file.Sync(); err != nil {
		return err
	}
	return file.Close()
}

// tornTail reports whether the file at path is non-empty and does not end
// with a newline.
func tornTail(path string) (bool, error) {
	r, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, st.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Checkpoints reads the file back; a missing file holds nothing. An
// incomplete last line (a write cut short) is ignored; any other malformed
// line is apperr.ErrInvalid naming it.
func (f *FileLog) Checkpoints(_ context.Context) ([]models.AuditCheckpoint, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i < len(b)-1 {
		b = b[:i+1]
	}
	cps, err := ReadCheckpoints(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return cps, nil
}
