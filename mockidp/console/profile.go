package console

import (
	"net/http"
	"strings"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// The person page: the profile an admin edits by hand, so an "Update User Attributes" push (A4) can be
// triggered from the browser. Saving records the change; the provisioning engine pushes it.

func (c *Console) userPage(w http.ResponseWriter, r *http.Request) {
	u, ok := c.dir.User(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.render(w, r, http.StatusOK, "user", "users", u.DisplayName(), u)
}

func (c *Console) saveProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f := func(k string) *string {
		v := strings.TrimSpace(r.PostFormValue(k))
		return &v
	}
	_, err := c.dir.UpdateUser(id, directory.ProfileUpdate{FirstName: f("firstName"), LastName: f("lastName"),
		Login: f("login"), Email: f("email")})
	if err == nil {
		c.syncUsers(r.Context(), id)
	}
	c.back(w, r, "/users/"+id, err, "Profile saved; apps that provision this person get the update.")
}
