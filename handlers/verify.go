package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *server) verifyRoutes(g *gin.RouterGroup) {
	wired := s.wired(s.contacts != nil, "contact verification")
	g.POST("/me/verify", s.requireUser, wired, s.sendCode)
	g.POST("/me/verify/confirm", s.requireUser, wired, s.confirmCode)
}

type sendCodeRequest struct {
	Channel string `json:"channel"`
}

// sendCode answers POST /me/verify: 202 once a code is on its way to the
// caller's phone (SMS) or e-mail address, masked in the answer.
func (s *server) sendCode(c *gin.Context) {
	var in sendCodeRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	sent, err := s.contacts.Send(c.Request.Context(), currentUser(c).ID, in.Channel)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, sent)
}

type confirmCodeRequest struct {
	Channel string `json:"channel"`
	Code    string `json:"code"`
}

// confirmCode answers POST /me/verify/confirm: the caller's account with
// the address proven.
func (s *server) confirmCode(c *gin.Context) {
	var in confirmCodeRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	if err := s.contacts.Confirm(ctx, u.ID, in.Channel, in.Code); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.auth.User(ctx, u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewUser(u))
}
