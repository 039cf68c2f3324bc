// Who is signed in, shared by every page. What the caller may do with a tenant is not decided here: the
// API says it (each tenant's `actions`, computed by the code that enforces them), and the pages offer
// exactly that.
let current = null;

export function setSession(me) {
  current = me ? { user: me.user } : null;
}
export const signedInUser = () => current?.user || null;
// Super-admins see the platform's own pages (alerts, audit, users, nodes) and create tenants.
export const isSuper = () => !!current?.user.is_super_admin;
