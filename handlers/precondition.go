package handlers

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/handlers/request"
)

func etag(version int) string { return request.ETag(version) }

// readIfMatch reads the If-Match field of c (every line of it); an empty
// field is no field. request.IfMatch.Version evaluates it.
func readIfMatch(c *gin.Context) request.IfMatch {
	return request.ParseIfMatch(strings.Join(c.Request.Header.Values("If-Match"), ","))
}
