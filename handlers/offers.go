package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// offerAnswerRoutes are a person's offers and their answers (API.md
// "Offers"): only the offers matched to the caller, 404 for any other.
func (s *server) offerAnswerRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	g.GET("/me/offers", s.requireUser, claimant, s.listMyOffers)
	g.GET("/offers/:id", s.requireUser, claimant, s.getMyOffer)
	g.POST("/offers/:id/accept", s.requireUser, claimant, s.acceptOffer)
	g.POST("/offers/:id/decline", s.requireUser, claimant, s.declineOffer)
	g.POST("/offers/:id/contest", s.requireUser, claimant, s.contestOffer)
}

func (s *server) listMyOffers(c *gin.Context) {
	list, err := s.offers.Mine(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"offers": list})
}

func (s *server) getMyOffer(c *gin.Context) {
	v, err := s.offers.Get(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// acceptOffer takes an offer under the Idempotency-Key semantics of
// createClaim: the same key and body get the first response again.
func (s *server) acceptOffer(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	key, body, err := keyedBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The offer is part of the request: one key reused for another offer
	// is another request (422), not a replay.
	replay, err := s.claims.BeginRequest(ctx, user.ID, key, append([]byte(c.Request.URL.Path+"\n"), body...))
	if err != nil {
		s.fail(c, err)
		return
	}
	if replay != nil {
		c.Header("Idempotent-Replayed", "true")
		c.Data(replay.Status, "application/json; charset=utf-8", replay.Body)
		return
	}
	out, err := s.takeOffer(c, key, body)
	if err != nil {
		s.failKeyed(c, key, err)
		return
	}
	c.Data(out.Status, "application/json; charset=utf-8", out.Body)
}

func (s *server) takeOffer(c *gin.Context, key string, body []byte) (claims.Answer, error) {
	var in offers.AcceptInput
	if err := decodeJSON(body, &in); err != nil {
		return claims.Answer{}, err
	}
	_, out, err := s.offers.Accept(c.Request.Context(), currentUser(c).ID, c.Param("id"), key, in, offerAnswer)
	return out, err
}

// offerAnswer is the answer an accepted offer stores under its key, and
// sends: 200 with the offer's JSON, made once.
func offerAnswer(v *offers.View) (claims.Answer, error) {
	b, err := json.Marshal(v)
	return claims.Answer{Status: http.StatusOK, Body: b}, err
}

// failKeyed answers err and stores a client error under the key, so a
// retry gets it again; a server error frees the key for the retry.
func (s *server) failKeyed(c *gin.Context, key string, err error) {
	ctx, user := c.Request.Context(), currentUser(c)
	status, errBody := s.apiError(c, err)
	if status >= 500 {
		s.abandonKey(c, key)
	} else if b, err := json.Marshal(errBody); err != nil {
		s.abandonKey(c, key)
	} else if err := s.claims.FinishRequest(ctx, user.ID, key, claims.Answer{Status: status, Body: b}); err != nil {
		// The client still gets its answer; a retry finds the key in
		// flight (409) until it goes stale, then runs again.
		s.log.Error("store the answer under an idempotency key", "request_id", requestID(c), "user_id", user.ID, "err", err)
	}
	c.AbortWithStatusJSON(status, errBody)
}

// abandonKey frees the user's key after a failure their retry should run
// again; a key that cannot be freed is logged (it frees itself once stale).
func (s *server) abandonKey(c *gin.Context, key string) {
	ctx, user := c.Request.Context(), currentUser(c)
	if err := s.claims.AbandonRequest(ctx, user.ID, key); err != nil {
		s.log.Error("release an idempotency key", "request_id", requestID(c), "user_id", user.ID, "err", err)
	}
}

func (s *server) declineOffer(c *gin.Context) {
	v, err := s.offers.Decline(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *server) contestOffer(c *gin.Context) {
	var in claims.NewClaim
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	in.ClientIP = clientIP(c)
	v, err := s.offers.Contest(c.Request.Context(), currentUser(c).ID, c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.Header("Location", "/api/v1/claims/"+v.ID)
	c.JSON(http.StatusCreated, v)
}
