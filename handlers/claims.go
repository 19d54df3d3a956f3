package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
)

func (s *server) claimRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	readers := s.requireRole(claimReaders...)
	g.GET("/banks", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"banks": claims.Banks}) })
	g.GET("/policies", s.listPolicies)
	g.POST("/policies", s.requireUser, s.requireRole(), s.publishPolicy)
	g.GET("/me/profiles", s.requireUser, claimant, s.getProfiles)
	g.PUT("/me/profiles/:kind", s.requireUser, claimant, s.putProfile)
	g.POST("/claims", s.requireUser, claimant, s.createClaim)
	g.GET("/claims", s.requireUser, readers, s.listClaims)
	g.GET("/claims/:id", s.requireUser, readers, s.getClaim)
	g.POST("/claims/:id/evidence", s.requireUser, claimant, s.uploadEvidence)
	g.GET("/claims/:id/evidence/:eid", s.requireUser, readers, s.downloadEvidence)
	g.POST("/claims/:id/withdraw", s.requireUser, claimant, s.withdrawClaim)
}

// claimReaders are the roles that read claims and evidence: claimants their
// own, reviewers and supervisors (and admins) anyone's. Operators record
// outages and notices and read no claim.
var claimReaders = []models.Role{models.RoleClaimant, models.RoleReviewer, models.RoleSupervisor}

func (s *server) listPolicies(c *gin.Context) {
	list, err := s.claims.Policies(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"policies": list})
}

func (s *server) publishPolicy(c *gin.Context) {
	var p policy.Policy
	if err := bindJSON(c, &p); err != nil {
		s.fail(c, err)
		return
	}
	published, job, err := s.claims.Publish(c.Request.Context(), currentUser(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The claims are re-priced by the queued job, off this request.
	c.JSON(http.StatusCreated, gin.H{"policy": published, "reprice": gin.H{"job_id": job.ID, "status": "queued"}})
}

func (s *server) getProfiles(c *gin.Context) {
	p, err := s.claims.Profiles(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"profiles": p})
}

func (s *server) putProfile(c *gin.Context) {
	var raw json.RawMessage
	if err := bindJSON(c, &raw); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.claims.PutProfile(c.Request.Context(), currentUser(c), c.Param("kind"), raw)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"profiles": p})
}

// createClaim files a claim under the Idempotency-Key semantics of API.md:
// the same key and body get the first response again, another body 422, a
// request still running 409, no key 400. A new key is taken by the filing
// itself; only a key already there, or a filing refused, goes through
// BeginRequest (createClaimKeyed).
func (s *server) createClaim(c *gin.Context) {
	key, body, err := keyedBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, out, err := s.fileClaim(c, func(ctx context.Context, in claims.NewClaim) (*claims.View, claims.Answer, error) {
		return s.claims.FileFirst(ctx, currentUser(c), key, body, in, claimAnswer)
	}, body)
	if err != nil {
		s.createClaimKeyed(c, key, body, err)
		return
	}
	s.claimCreated(c, v, out)
}

// claimAnswer is the answer a filing stores under its key, and sends: 201
// with the claim's JSON, made once, so a replay is byte for byte the first
// response.
func claimAnswer(v *claims.View) (claims.Answer, error) {
	b, err := json.Marshal(v)
	return claims.Answer{Status: http.StatusCreated, Body: b}, err
}

// createClaimKeyed answers a filing whose first attempt failed with first
// and wrote nothing: a key in use is replayed, refused or handed over (then
// the claim is filed under it), and a refusal is stored under the key as
// its answer, as if the request had taken the key before it ran.
func (s *server) createClaimKeyed(c *gin.Context, key string, body []byte, first error) {
	ctx, user := c.Request.Context(), currentUser(c)
	used := errors.Is(first, claims.ErrKeyUsed)
	if !used && classify(first).status >= 500 {
		s.fail(c, first)
		return
	}
	replay, err := s.claims.BeginRequest(ctx, user.ID, key, body)
	switch {
	case err != nil:
		s.fail(c, err)
		return
	case replay != nil:
		s.replayClaim(c, replay)
		return
	case !used:
		s.failKeyed(c, key, first)
		return
	}
	v, out, err := s.fileClaim(c, func(ctx context.Context, in claims.NewClaim) (*claims.View, claims.Answer, error) {
		return s.claims.File(ctx, user, key, in, claimAnswer)
	}, body)
	if err != nil {
		s.failKeyed(c, key, err)
		return
	}
	s.claimCreated(c, v, out)
}

// replayClaim sends the first answer given under a key again.
func (s *server) replayClaim(c *gin.Context, replay *claims.Replay) {
	c.Header("Idempotent-Replayed", "true")
	var first struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if replay.Status == http.StatusCreated && json.Unmarshal(replay.Body, &first) == nil {
		c.Header("ETag", etag(first.Version))
		c.Header("Location", "/api/v1/claims/"+first.ID)
	}
	c.Data(replay.Status, "application/json; charset=utf-8", replay.Body)
}

// claimCreated answers a filing with out, the answer claimAnswer made and
// the filing stored under its key.
func (s *server) claimCreated(c *gin.Context, v *claims.View, out claims.Answer) {
	c.Header("ETag", etag(v.Version))
	c.Header("Location", "/api/v1/claims/"+v.ID)
	c.Data(out.Status, "application/json; charset=utf-8", out.Body)
}

// keyedBody reads the Idempotency-Key (required: 400 without) and the JSON
// body (415 for another type) of a request the key makes repeatable.
func keyedBody(c *gin.Context) (string, []byte, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return "", nil, &malformed{errors.New("the Idempotency-Key header is required")}
	}
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		return "", nil, fmt.Errorf("content type %q: %w", ct, apperr.ErrUnsupportedType)
	}
	body, err := io.ReadAll(c.Request.Body)
	return key, body, err
}

// fileClaim decodes body and files it with file.
func (s *server) fileClaim(c *gin.Context, file func(context.Context, claims.NewClaim) (*claims.View, claims.Answer, error), body []byte) (*claims.View, claims.Answer, error) {
	var in claims.NewClaim
	if err := decodeJSON(body, &in); err != nil {
		return nil, claims.Answer{}, err
	}
	in.ClientIP = clientIP(c)
	return file(c.Request.Context(), in)
}

func (s *server) getClaim(c *gin.Context) {
	v, err := s.claims.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordStaffAccess(c, claimRead(actionViewClaim, v.ID, v.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

func (s *server) listClaims(c *gin.Context) {
	f, err := claimFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.claims.List(c.Request.Context(), currentUser(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	reads := make([]audit.Record, len(list))
	for i, v := range list {
		reads[i] = claimRead(actionListClaims, v.ID, v.ClaimantID)
	}
	if err := s.recordStaffAccess(c, reads...); err != nil {
		s.fail(c, err)
		return
	}
	var next *string
	if len(list) == f.Limit {
		next = &list[len(list)-1].ID
	}
	c.JSON(http.StatusOK, gin.H{"claims": list, "next": next})
}

func claimFilter(c *gin.Context) (claims.Filter, error) {
	var f apperr.Fields
	out := claims.Filter{Category: c.Query("category"), OutageID: c.Query("outage_id"), Query: c.Query("q"), Flag: c.Query("flag"), Sort: c.Query("sort"), After: c.Query("next")}
	if v := c.Query("status"); v != "" {
		out.Status = strings.Split(v, ",")
	}
	out.MinKRW = queryInt(c, &f, "min_krw")
	out.MaxKRW = queryInt(c, &f, "max_krw")
	out.Limit = queryLimit(c, &f)
	return out, f.Err()
}

func queryInt(c *gin.Context, f *apperr.Fields, name string) *int64 {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		f.AddMsg(name, apperr.M("handlers.non_negative_integer"))
		return nil
	}
	return &n
}

func (s *server) withdrawClaim(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
	}
	v, err := s.claims.Withdraw(c.Request.Context(), currentUser(c), c.Param("id"), in.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

// uploadEvidence streams a multipart upload ("kind" then "file") to the
// claims service without buffering it; kind may also come as ?kind=.
func (s *server) uploadEvidence(c *gin.Context) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.fail(c, fmt.Errorf("multipart/form-data expected: %w", apperr.ErrUnsupportedType))
		return
	}
	kind := c.Query("kind")
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(c, &malformed{err})
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = strings.TrimSpace(string(b))
		case "file":
			ev, err := s.claims.AddEvidence(c.Request.Context(), currentUser(c), c.Param("id"), claims.Upload{Kind: kind, Name: part.FileName(), Body: part})
			if err != nil {
				s.fail(c, err)
				return
			}
			c.JSON(http.StatusCreated, ev)
			return
		}
	}
	s.fail(c, apperr.InvalidMsg("file", apperr.M("handlers.file_missing")))
}

func (s *server) downloadEvidence(c *gin.Context) {
	e, f, err := s.claims.OpenEvidence(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("eid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	if err := s.recordStaffAccess(c, claimRead(actionDownloadEvidence, e.ClaimID, e.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", e.ContentType)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.OriginalName}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	http.ServeContent(c.Writer, c.Request, url.PathEscape(e.OriginalName), e.CreatedAt, f)
}
