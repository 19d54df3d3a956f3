package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"time"
)

// S3 is the object store the instances share for evidence; empty Endpoint
// leaves each instance on its own disk and the evidence check off.
type S3 struct {
	Endpoint, AccessKey, SecretKey, Bucket string
}

// env is the instances' BOSANG_S3_* settings.
func (s S3) env() []string {
	if s.Endpoint == "" {
		return nil
	}
	return []string{"BOSANG_S3_ENDPOINT=" + s.Endpoint, "BOSANG_S3_ACCESS_KEY=" + s.AccessKey, "BOSANG_S3_SECRET_KEY=" + s.SecretKey,
		"BOSANG_S3_BUCKET=" + s.Bucket, "BOSANG_S3_REGION=us-east-1", "BOSANG_S3_TLS=false"}
}

// upload is one evidence file a 201 acknowledged.
type upload struct {
	claimID, evidenceID string
	claimant            int
	via                 int // the instance that acknowledged it
	sum                 [32]byte
}

// uploader attaches evidence to acknowledged claims through alternating
// instances while they are being killed; it keeps what was acknowledged.
type uploader struct {
	l      *load
	client *http.Client
	stop   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	acked    []upload
	attempts int
	failed   int
}

func startUploader(l *load) *uploader {
	u := &uploader{l: l, client: &http.Client{Timeout: requestTimeout}, stop: make(chan struct{})}
	u.wg.Add(1)
	go u.run()
	return u
}

// run uploads to the claims acknowledged so far, one at a time, a few a
// second: enough to cross many kills without slowing the claim load.
func (u *uploader) run() {
	defer u.wg.Done()
	done := map[string]bool{}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-u.stop:
			return
		case <-t.C:
		}
		u.l.mu.Lock()
		var next *ack
		for _, a := range u.l.acked {
			if !done[a.ClaimID] {
				next = &a
				break
			}
		}
		u.l.mu.Unlock()
		if next == nil {
			continue
		}
		done[next.ClaimID] = true
		via := n % len(u.l.instances)
		file := evidenceFile(next.ClaimID)
		id, err := u.post(u.l.instances[via], u.l.fx.Claimants[next.Claimant].Token, next.ClaimID, file)
		u.mu.Lock()
		u.attempts++
		if err != nil {
			u.failed++ // not acknowledged: the instance may have died mid-upload
		} else {
			u.acked = append(u.acked, upload{claimID: next.ClaimID, evidenceID: id, claimant: next.Claimant, via: via, sum: sha256.Sum256(file)})
		}
		u.mu.Unlock()
	}
}

func (u *uploader) finish() {
	close(u.stop)
	u.wg.Wait()
}

// post uploads file as a screenshot and returns the evidence id of a 201.
func (u *uploader) post(in *instance, token, claimID string, file []byte) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("kind", "screenshot"); err != nil {
		return "", err
	}
	fw, err := w.CreateFormFile("file", "shot.png")
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(file); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	req, _ := http.NewRequest(http.MethodPost, in.baseURL()+"/api/v1/claims/"+claimID+"/evidence", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := u.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &v) != nil || v.ID == "" {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return v.ID, nil
}

// check downloads every acknowledged file through the instance that did
// not acknowledge it and counts those missing or different.
func (u *uploader) check(ctx context.Context) *evidenceFigures {
	checked, lost, examples := u.verify(ctx)
	u.mu.Lock()
	defer u.mu.Unlock()
	return &evidenceFigures{Attempts: u.attempts, Acked: len(u.acked), Failed: u.failed, Checked: checked, Lost: lost, Examples: examples}
}

func (u *uploader) verify(ctx context.Context) (checked, lost int, examples []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, up := range u.acked {
		in := u.l.instances[(up.via+1)%len(u.l.instances)]
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.baseURL()+"/api/v1/claims/"+up.claimID+"/evidence/"+up.evidenceID, nil)
		req.Header.Set("Authorization", "Bearer "+u.l.fx.Claimants[up.claimant].Token)
		resp, err := u.client.Do(req)
		problem := ""
		if err != nil {
			problem = err.Error()
		} else {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case rerr != nil:
				problem = rerr.Error()
			case resp.StatusCode != http.StatusOK:
				problem = fmt.Sprintf("status %d", resp.StatusCode)
			case sha256.Sum256(b) != up.sum:
				problem = "different bytes"
			}
		}
		checked++
		if problem != "" {
			lost++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("evidence %s of claim %s through %s: %s", up.evidenceID, up.claimID, in.name, problem))
			}
		}
	}
	return checked, lost, examples
}

// evidenceFile is a small PNG whose pixels derive from the claim id, so
// every file differs.
func evidenceFile(claimID string) []byte {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	seed := sha256.Sum256([]byte(claimID))
	for i := range img.Pix {
		img.Pix[i] = seed[i%len(seed)] ^ byte(i)
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) //nolint:errcheck // encoding to memory cannot fail
	return buf.Bytes()
}
