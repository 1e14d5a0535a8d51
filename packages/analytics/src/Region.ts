/**
 * The Genesys Cloud regions: SDK key, AWS region name and domain, and the API and login URLs derived from them.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ConfigInvalid } from "./GenesysError.js"

/** One Genesys Cloud region. @since 0.1.0 */
export interface Region {
  /** SDK key, e.g. `us_east_1`. */
  readonly key: string
  /** AWS-style name, e.g. `us-east-1`. */
  readonly name: string
  /** Domain, e.g. `mypurecloud.com`. */
  readonly domain: string
  readonly description: string
  /** `https://api.<domain>` */
  readonly apiUrl: string
  /** `https://login.<domain>` */
  readonly loginUrl: string
}

const make = (key: string, domain: string, description: string): Region => ({
  key,
  name: key.replaceAll("_", "-"),
  domain,
  description,
  apiUrl: `https://api.${domain}`,
  loginUrl: `https://login.${domain}`
})

/** The 18 regions, in the order of the official SDKs' region table. @since 0.1.0 */
export const regions: ReadonlyArray<Region> = [
  make("us_east_1", "mypurecloud.com", "US East (Virginia)"),
  make("us_east_2", "use2.us-gov-pure.cloud", "US East 2 (FedRAMP)"),
  make("us_west_2", "usw2.pure.cloud", "US West (Oregon)"),
  make("ca_central_1", "cac1.pure.cloud", "Canada (Central)"),
  make("sa_east_1", "sae1.pure.cloud", "South America (São Paulo)"),
  make("mx_central_1", "mxc1.pure.cloud", "Mexico (Central)"),
  make("eu_west_1", "mypurecloud.ie", "EU (Ireland)"),
  make("eu_west_2", "euw2.pure.cloud", "EU (London)"),
  make("eu_central_1", "mypurecloud.de", "EU (Frankfurt)"),
  make("eu_central_2", "euc2.pure.cloud", "EU (Zurich)"),
  make("eusc_de_east_1", "edee1.eusc-pure.cloud", "EU sovereign cloud (Germany)"),
  make("me_central_1", "mec1.pure.cloud", "Middle East (UAE)"),
  make("ap_south_1", "aps1.pure.cloud", "Asia Pacific (Mumbai)"),
  make("ap_southeast_1", "apse1.pure.cloud", "Asia Pacific (Singapore)"),
  make("ap_southeast_2", "mypurecloud.com.au", "Asia Pacific (Sydney)"),
  make("ap_northeast_1", "mypurecloud.jp", "Asia Pacific (Tokyo)"),
  make("ap_northeast_2", "apne2.pure.cloud", "Asia Pacific (Seoul)"),
  make("ap_northeast_3", "apne3.pure.cloud", "Asia Pacific (Osaka)")
]

const normalize = (input: string): string =>
  input
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "")
    .replace(/^(api|login|apps)\./, "")

/**
 * Finds a region by SDK key (`us_east_1`), AWS name (`us-east-1`) or domain (`mypurecloud.com`, also
 * `api.mypurecloud.com` or a full `https://` URL of one of its hosts).
 *
 * @since 0.1.0
 */
export const find = (input: string): Option.Option<Region> => {
  const text = normalize(input)
  return Option.fromNullable(
    regions.find((r) => r.key === text || r.name === text || r.domain === text || r.key === text.replaceAll("-", "_"))
  )
}

/** Like `find`, failing with a `ConfigInvalid` that lists the known keys. @since 0.1.0 */
export const parse = (input: string): Either.Either<Region, ConfigInvalid> =>
  Option.match(find(input), {
    onNone: () =>
      Either.left(
        new ConfigInvalid({
          field: "region",
          detail: `unknown region "${input}"; use a key (e.g. us_east_1 or us-east-1) or a domain (e.g. mypurecloud.com). Known keys: ${regions.map((r) => r.key).join(", ")}`
        })
      ),
    onSome: Either.right
  })
