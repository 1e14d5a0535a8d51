/** @internal */
import * as Options from "@effect/cli/Options"

// Flag definitions only: the command modules are loaded when their command runs, so that parsing (and refusing) a
// command line stays fast.

/** The output formats of `extract`. @internal */
export const formats = ["ndjson", "csv", "sqlite", "postgres"] as const

/** Flags that say where and as whom to connect; each overrides its `GENESYS_*` variable. @internal */
export const connection = {
  region: Options.text("region").pipe(
    Options.withDescription("Genesys Cloud region (us-east-1, mypurecloud.de, ...); overrides GENESYS_REGION"),
    Options.optional
  ),
  clientId: Options.text("client-id").pipe(
    Options.withDescription("OAuth client id; overrides GENESYS_CLIENT_ID"),
    Options.optional
  ),
  clientSecretFile: Options.text("client-secret-file").pipe(
    Options.withDescription(
      "file holding the OAuth client secret (first line); without it GENESYS_CLIENT_SECRET is read. " +
        "There is no flag taking the secret itself: it would show in process lists"
    ),
    Options.optional
  ),
  apiUrl: Options.text("api-url").pipe(
    Options.withDescription("API origin (a gateway, the emulator); overrides GENESYS_API_URL"),
    Options.optional
  ),
  loginUrl: Options.text("login-url").pipe(
    Options.withDescription("login origin; overrides GENESYS_LOGIN_URL"),
    Options.optional
  )
}

/** `--strict`: the validator's warnings fail the query with exit 2, as its errors do. @internal */
export const strict = Options.boolean("strict").pipe(
  Options.withDescription(
    "treat every query warning (a shape Genesys is not known to refuse: unknown names, empty filters, ...) as an error"
  )
)
