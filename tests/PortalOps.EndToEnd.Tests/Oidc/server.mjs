// A real OpenID Connect provider (the certified `oidc-provider` package) for PortalOps' end-to-end tests.
// Loopback only. Started by the test fixture as: node server.mjs <port> <portal base url>
// Any user name logs in through the provider's own login page; its roles come from the table below.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const portal = process.argv[3];
if (!port || !portal) {
  console.error('usage: node server.mjs <port> <portal base url>');
  process.exit(2);
}

const roles = {
  olivia: ['ops-admins'],
  otto: ['ops'],
  vera: ['ops-viewers', 'unrelated-group'],
  nobody: [],
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'portalops',
    client_secret: 'portalops-test-secret',
    redirect_uris: [`${portal}/signin-oidc`],
    post_logout_redirect_uris: [`${portal}/signout-callback-oidc`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  // As at most providers (Keycloak, for one), the role claim comes with its own `roles` scope, not with `profile`:
  // a portal that does not ask for it gets no roles.
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    roles: ['roles'],
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['portalops-test-cookie-key'] },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: id.charAt(0).toUpperCase() + id.slice(1),
          preferred_username: id,
          email: `${id}@example.test`,
          email_verified: true,
          roles: roles[id] ?? [],
        };
      },
    };
  },
});

const server = http.createServer(provider.callback());
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
