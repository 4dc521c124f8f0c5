// An independent, certified OpenID provider for the interoperability tests:
// the npm package oidc-provider, configured from the JSON in OIDC_PEER_CONFIG.
//
// {
//   "port": 4711, "issuer": "http://127.0.0.1:4711",
//   "clients": [ ...oidc-provider client metadata... ],
//   "accounts": { "erika": { "given_name": "Erika", ... } },
//   "jwks": { "keys": [ ...private JWKs... ] },
//   "api": { "resource": "urn:amtsweg:api", "audience": "amtsweg-api" },
//   "serviceRoles": { "<client_id>": [ {"role": "clerk", "tenant": "musterstadt"} ] }
// }
//
// Citizens log in through the package's own development login and consent
// forms (any password). Service clients get JWT access tokens for the API
// by client credentials, with their roles in the claim amtsweg_roles.
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_PEER_CONFIG);

const findAccount = async (_ctx, id) => {
  const claims = config.accounts[id];
  if (!claims) return undefined;
  return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
};

const isClientCredentials = (ctx) => ctx.oidc.params?.grant_type === 'client_credentials';

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  findAccount,
  cookies: { keys: ['amtsweg-interoperability-tests'] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'birthdate'],
    email: ['email', 'email_verified'],
    address: ['address'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx) => (isClientCredentials(ctx) ? config.api.resource : undefined),
      useGrantedResource: () => false,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: config.api.audience,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    const roles = config.serviceRoles?.[token.clientId];
    return token.accountId || !roles ? undefined : { amtsweg_roles: roles };
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${config.issuer}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
