/**
 * The `--help` text of every command, written for a person: each option with its default, range and an example, the
 * exit codes, no ANSI escapes unless standard output is a terminal, lines under 100 columns. `@effect/cli` still
 * parses the command line; only its generated help is replaced.
 *
 * @internal
 */

interface Opt {
  readonly flag: string
  readonly value?: string
  readonly text: string
  /** Default, range and example, as one line. */
  readonly facts: string
}

interface Help {
  readonly summary: string
  readonly usage: string
  readonly args?: ReadonlyArray<readonly [string, string]>
  readonly options: ReadonlyArray<Opt>
  readonly notes?: string
}

const connection: ReadonlyArray<Opt> = [
  {
    flag: "--region",
    value: "<region>",
    text: "Genesys Cloud region (us-east-1, eu-central-1, mypurecloud.de, ...)",
    facts: "default: $GENESYS_REGION; e.g. --region eu-central-1"
  },
  {
    flag: "--client-id",
    value: "<id>",
    text: "OAuth client id (client-credentials grant)",
    facts: "default: $GENESYS_CLIENT_ID; e.g. --client-id 6d1c…"
  },
  {
    flag: "--client-secret-file",
    value: "<file>",
    text: "file holding the OAuth client secret (first line); no flag takes the secret itself",
    facts: "default: $GENESYS_CLIENT_SECRET; e.g. --client-secret-file ~/.genesys-secret"
  },
  {
    flag: "--api-url",
    value: "<url>",
    text: "API origin (a gateway, the emulator) instead of the region's",
    facts: "default: $GENESYS_API_URL, else the region's; e.g. --api-url http://127.0.0.1:8080"
  },
  {
    flag: "--login-url",
    value: "<url>",
    text: "login origin instead of the region's",
    facts: "default: $GENESYS_LOGIN_URL, else the API URL's or the region's; e.g. --login-url http://127.0.0.1:8080"
  }
]

const interval: Opt = {
  flag: "--interval",
  value: "<interval>",
  text:
    "ISO-8601 interval (start/end, start/P1D), a duration ending now (P7D, PT6H) or a word: today, yesterday, " +
    "this-week, last-week, this-month, last-month, last-N-days",
  facts: "default: the --query file's interval (one of the two is required); e.g. --interval last-7-days"
}
const timeZone: Opt = {
  flag: "--time-zone",
  value: "<zone>",
  text: "IANA time zone of the calendar words of --interval",
  facts: "default: UTC; e.g. --time-zone Europe/Berlin"
}
const queryFile: Opt = {
  flag: "--query",
  value: "<file.json>",
  text: "JSON file with a conversation detail query (its filters; its interval when --interval is not given)",
  facts: "default: none; e.g. --query voice.json"
}
const where: Opt = {
  flag: "--where",
  value: "<expression>",
  text: "filter expression over conversation fields (comparisons, in, and, or, parentheses); see docs/cli.md",
  facts: `default: none; e.g. --where "mediaType = voice and tHandle > 300000"`
}
const audit: Opt = {
  flag: "--audit",
  value: "<file.jsonl>",
  text: "append the audit trail (JSONL, hash chained) to this file",
  facts: "default: kept in memory only; e.g. --audit audit.jsonl"
}
const strict: Opt = {
  flag: "--strict",
  text: "treat every query warning (unknown names, empty filters, ...) as an error (exit 2)",
  facts: "default: off (warnings are printed and the query is sent)"
}

const commands: Record<string, Help> = {
  "": {
    summary: "Genesys Cloud conversation-detail analytics from the shell.",
    usage: "genesys-analytics <command> [options]",
    args: [
      ["extract", "extract every conversation of an interval (jobs + sync tail)"],
      ["query", "run the sync detail query and print every page"],
      ["aggregate", "grouped, bucketed numbers (aggregates query or job), names allowed"],
      ["sync", "keep a database current: back-fill, then follow the availability date"],
      ["jobs", "status | results | cancel of an asynchronous job"],
      ["availability", "print the data-availability date"],
      ["audit verify", "verify an audit log's hash chain"],
      ["emulator", "serve the Genesys Cloud emulator on 127.0.0.1"],
      ["demo", "extract from an in-process emulator and verify the audit trail"],
      ["runner", "run a durable-extraction runner of a cluster (Postgres)"],
      ["status", "print the state of a cluster's extraction by execution id"]
    ],
    options: [
      { flag: "-h, --help", text: "this text; after a command, that command's options", facts: "e.g. extract --help" },
      { flag: "--version", text: "print the version", facts: "" }
    ],
    notes:
      "Connection settings come from GENESYS_REGION, GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET (or the flags).\n" +
      "Progress and retries go to stderr; stdout carries only data. Details: docs/cli.md."
  },
  extract: {
    summary: "Extract every conversation of an interval: async jobs for settled data, the sync query for the tail.",
    usage: "genesys-analytics extract --interval <interval> [options]",
    options: [
      interval,
      timeZone,
      queryFile,
      where,
      {
        flag: "--out",
        value: "<target>",
        text: "a file (ndjson, sqlite), a directory (csv) or a postgres:// URL",
        facts: "default: stdout (ndjson); e.g. --out conversations.sqlite"
      },
      {
        flag: "--format",
        value: "<format>",
        text: "ndjson | csv | sqlite | postgres",
        facts: "default: guessed from --out, else ndjson; e.g. --format csv"
      },
      {
        flag: "--checkpoint",
        value: "<dir>",
        text: "state directory (plan, journal, pages); the same command resumes a killed or failed run",
        facts: "default: none (no resume); e.g. --checkpoint .extract-state"
      },
      {
        flag: "--cluster",
        value: "<postgres-url>",
        text: "submit to the runners of this cluster instead of running here (needs --out)",
        facts: "default: none; e.g. --cluster postgres://user@db:5432/genesys"
      },
      {
        flag: "--org",
        value: "<name>",
        text: "with --cluster: the org profile whose credentials the runners use",
        facts: "default: default (the runners' GENESYS_* environment); e.g. --org emea"
      },
      {
        flag: "--detach",
        text: "with --cluster: print the execution id and leave the run to the cluster",
        facts: "default: off (follow to the summary)"
      },
      {
        flag: "--concurrency",
        value: "<n>",
        text: "jobs running at once (twice as many windows are worked on)",
        facts: "default: the org's concurrent-jobs limit (limits API), else 2; 1 to 50; e.g. --concurrency 4"
      },
      {
        flag: "--page-size",
        value: "<n>",
        text: "job results per page",
        facts: "default: 1000 (the platform maximum); 1 to 1000; e.g. --page-size 500"
      },
      audit,
      {
        flag: "--reconcile",
        text: "compare each day with the sync query's totalHits; a shortfall exits 4",
        facts: "default: off"
      },
      {
        flag: "--reconcile-threshold",
        value: "<fraction>",
        text: "with --reconcile: the fraction of the sync count each day must reach",
        facts: "default: 1 (equal); above 0, at most 1; e.g. --reconcile-threshold 0.99"
      },
      {
        flag: "--quarantine",
        value: "<file.ndjson>",
        text: "set records without a usable conversationId or conversationStart aside instead of failing",
        facts: "default: none (such a record fails the run); e.g. --quarantine bad.ndjson"
      },
      {
        flag: "--dry-run",
        text: "print the plan (windows, jobs, tail) and stop; nothing is written",
        facts: "default: off"
      },
      strict,
      ...connection
    ]
  },
  query: {
    summary: "Run the sync detail query (small intervals) and print every page.",
    usage: "genesys-analytics query --interval <interval> [options]",
    options: [
      interval,
      timeZone,
      queryFile,
      where,
      {
        flag: "--page-size",
        value: "<n>",
        text: "results per page",
        facts: "default: the server's (Genesys: 25); 1 to 100; e.g. --page-size 100"
      },
      {
        flag: "--format",
        value: "<format>",
        text: "ndjson (one conversation a line) | table (one line per page)",
        facts: "default: ndjson; e.g. --format table"
      },
      audit,
      strict,
      ...connection
    ]
  },
  aggregate: {
    summary:
      "Grouped, bucketed numbers from the conversation aggregates query (or job): one line per group and bucket, " +
      "one column per metric.",
    usage: "genesys-analytics aggregate --interval <interval> --metrics <m1,m2> [options]",
    options: [
      interval,
      {
        flag: "--time-zone",
        value: "<zone>",
        text: "IANA time zone of the buckets (sent as the query's timeZone: a P1D bucket is a local day) and of --interval's calendar words",
        facts: "default: the --query file's, else UTC; e.g. --time-zone America/New_York"
      },
      {
        flag: "--timezone",
        value: "<zone>",
        text: "another spelling of --time-zone",
        facts: "default: as --time-zone; e.g. --timezone Europe/Berlin"
      },
      {
        flag: "--query",
        value: "<file.json>",
        text: "JSON file with a conversation aggregates query; the flags override its fields, --where joins its filter",
        facts: "default: none; e.g. --query by-queue.json"
      },
      {
        flag: "--granularity",
        value: "<duration>",
        text: "bucket length, an ISO-8601 duration",
        facts: "default: one bucket for the whole interval; e.g. --granularity P1D"
      },
      {
        flag: "--group-by",
        value: "<dimensions>",
        text: "dimensions to group by, comma-separated",
        facts: "default: no grouping (mediaType may still appear); e.g. --group-by wrapUpCode,queueId"
      },
      {
        flag: "--metrics",
        value: "<metrics>",
        text: "metrics, comma-separated; n* show their count, t* their sum in ms, o* their ratio",
        facts: "default: the --query file's (one of the two is required); e.g. --metrics nConnected,tHandle"
      },
      {
        flag: "--where",
        value: "<expression>",
        text:
          "filter on aggregates dimensions (=, in, exists, and, or, parentheses; two levels). Wrap-up codes, " +
          "queues and users may be given by name: names are looked up before anything is sent; an unknown or " +
          "ambiguous name exits 2 listing the candidates",
        facts: `default: none; e.g. --where "wrapUpCode in ('Resolved', 'Escalated') and mediaType = voice"`
      },
      {
        flag: "--format",
        value: "<format>",
        text: "table (a line per group and bucket) | csv | ndjson (a tidy row per group, bucket, metric) | sqlite | postgres",
        facts: "default: by --out (.csv, .ndjson, .sqlite, postgres://), else table on a terminal, ndjson in a pipe"
      },
      {
        flag: "--out",
        value: "<file>",
        text: "write to this file (through a .partial file renamed when complete)",
        facts: "default: stdout; e.g. --out daily.csv"
      },
      {
        flag: "--via",
        value: "<how>",
        text: "auto | query (one sync request) | job (async job, cursor pages)",
        facts: "default: auto (a job past 31 days or 1000 buckets, else the sync query); e.g. --via job"
      },
      {
        flag: "--names",
        text: "add a name column beside each wrap-up code, queue and user id (reads the list endpoints)",
        facts: "default: off (ids only)"
      },
      {
        flag: "--reconcile",
        text:
          "recompute the n* counts and t* counts and sums from a details job of the same interval (from a day " +
          "before it) and print the difference per group, bucket and metric on stderr; any difference exits 4",
        facts: "default: off"
      },
      audit,
      strict,
      ...connection
    ],
    notes:
      "Warnings (names outside the known enums, ...) go to stderr; the query is sent as written unless --strict.\n" +
      "Details: docs/aggregates.md."
  },
  jobs: {
    summary: "Inspect, read or cancel an asynchronous detail job.",
    usage: "genesys-analytics jobs <status|results|cancel> <job-id> [options]",
    args: [
      ["status <job-id>", "print the job's state as JSON"],
      ["results <job-id>", "print a fulfilled job's conversations as NDJSON"],
      ["cancel <job-id>", "cancel the job"]
    ],
    options: [{ flag: "-h, --help", text: "a subcommand's options", facts: "e.g. jobs results --help" }]
  },
  "jobs status": {
    summary: "Print a job's state as JSON.",
    usage: "genesys-analytics jobs status <job-id> [options]",
    args: [["<job-id>", "the job id (letters, digits and -)"]],
    options: connection
  },
  "jobs results": {
    summary: "Print a fulfilled job's conversations as NDJSON.",
    usage: "genesys-analytics jobs results <job-id> [options]",
    args: [["<job-id>", "the job id (letters, digits and -)"]],
    options: [
      {
        flag: "--page-size",
        value: "<n>",
        text: "results per page",
        facts: "default: 1000; 1 to 1000; e.g. --page-size 200"
      },
      ...connection
    ]
  },
  "jobs cancel": {
    summary: "Cancel a job.",
    usage: "genesys-analytics jobs cancel <job-id> [options]",
    args: [["<job-id>", "the job id (letters, digits and -)"]],
    options: connection
  },
  availability: {
    summary: "Print the data-availability date (jobs see conversations that ended before it).",
    usage: "genesys-analytics availability [options]",
    options: connection
  },
  audit: {
    summary: "Audit log tools.",
    usage: "genesys-analytics audit verify <path> [--allow-open]",
    args: [["verify <path>", "verify the hash chain; exit 1 naming the first altered line"]],
    options: [{ flag: "-h, --help", text: "the subcommand's options", facts: "e.g. audit verify --help" }]
  },
  "audit verify": {
    summary: "Verify an audit log's hash chain; exit 1 naming the first altered line.",
    usage: "genesys-analytics audit verify <path> [--allow-open]",
    args: [["<path>", "the audit log (JSONL)"]],
    options: [
      {
        flag: "--allow-open",
        text: "accept a last run without its seal (a log still being written)",
        facts: "default: off (an unsealed last run fails)"
      }
    ]
  },
  sync: {
    summary:
      "Keep a SQLite or Postgres database equal to what Genesys holds, from --from on: back-fill, then a cycle each " +
      "time the data-availability date moves (jobs for the settled span, read again over the restatement window) and " +
      "every --tail-every minutes (sync queries for the provisional tail). Rows are upserted by conversation id; the " +
      "settled point is kept in the database (genesys_sync_state). Runs until SIGINT/SIGTERM, or until --until.",
    usage: "genesys-analytics sync --from <date> --out <file.sqlite|postgres://…> [options]",
    options: [
      {
        flag: "--from",
        value: "<date>",
        text: "where the sync starts: the back-fill's first day",
        facts: "default: none, required; e.g. --from 2026-11-01"
      },
      {
        flag: "--until",
        value: "<date-time>",
        text: "stop (exit 0, with the summary) once everything up to this time is settled",
        facts: "default: none (run until stopped); e.g. --until 2026-12-01T00:00:00Z"
      },
      {
        flag: "--out",
        value: "<target>",
        text: "a SQLite file or a postgres:// URL",
        facts: "default: none, required; e.g. --out contact-center.sqlite"
      },
      {
        flag: "--format",
        value: "<format>",
        text: "sqlite | postgres",
        facts: "default: guessed from --out; e.g. --format postgres"
      },
      {
        flag: "--state",
        value: "<dir>",
        text: "directory for the journal of the running cycle",
        facts: "default: <out>.sync for SQLite, required for Postgres; e.g. --state .sync-state"
      },
      {
        flag: "--tail-every",
        value: "<minutes>",
        text: "minutes between reads of the provisional tail",
        facts: "default: 5; above 0; e.g. --tail-every 15"
      },
      {
        flag: "--restatement-hours",
        value: "<hours>",
        text: "how far behind the settled point each cycle reads again (conversations change after they end)",
        facts: "default: 48; 0 or more; e.g. --restatement-hours 72"
      },
      {
        flag: "--poll-seconds",
        value: "<seconds>",
        text: "seconds between checks of the data-availability date",
        facts: "default: 60; above 0; e.g. --poll-seconds 30"
      },
      {
        flag: "--poll-only",
        text: "do not listen to the availability notifications (a WebSocket); poll only",
        facts: "default: off (listen, and poll as a fallback)"
      },
      where,
      queryFile,
      audit,
      ...connection
    ]
  },
  runner: {
    summary:
      "Run one runner of a durable-extraction cluster: it executes its share of the cluster's extractions " +
      "and takes over those of runners that die. Prints one ready line; SIGTERM hands its work over.",
    usage: "genesys-analytics runner --cluster <postgres-url> [options]",
    options: [
      {
        flag: "--cluster",
        value: "<postgres-url>",
        text: "the cluster's database (tables are created on first use)",
        facts: "default: none, required; e.g. --cluster postgres://user@db:5432/genesys"
      },
      {
        flag: "--host",
        value: "<host>",
        text: "the address other runners reach this one at",
        facts: "default: 127.0.0.1; e.g. --host 10.0.0.5"
      },
      {
        flag: "--port",
        value: "<n>",
        text: "the port this runner listens on for its peers",
        facts: "default: 34431; 1 to 65535; e.g. --port 34432"
      },
      {
        flag: "--orgs",
        value: "<file.json>",
        text: "org profiles: {name: {region|apiUrl, clientId, clientSecretEnv|clientSecretFile}}",
        facts: "default: only the org default (GENESYS_* variables); e.g. --orgs orgs.json"
      },
      {
        flag: "--retention-hours",
        value: "<n>",
        text: "how long a completed extraction's journal is kept before a runner deletes it",
        facts: "default: 168 (7 days); 0 or more; e.g. --retention-hours 24"
      },
      audit
    ]
  },
  status: {
    summary:
      "Print the state of an extraction submitted to a cluster (extract --cluster --detach prints its id), " +
      "or without an id every extraction in the cluster's journal.",
    usage: "genesys-analytics status --cluster <postgres-url> [<execution-id>]",
    args: [["<execution-id>", "the id extract --detach printed (optional)"]],
    options: [
      {
        flag: "--cluster",
        value: "<postgres-url>",
        text: "the cluster's database",
        facts: "default: none, required; e.g. --cluster postgres://user@db:5432/genesys"
      }
    ]
  },
  demo: {
    summary: "Extract from an in-process emulator into a directory and verify the audit trail.",
    usage: "genesys-analytics demo [options]",
    options: [
      {
        flag: "--out",
        value: "<dir>",
        text: "output directory (emptied first)",
        facts: "default: demo-output; e.g. --out /tmp/demo"
      },
      { flag: "--days", value: "<n>", text: "days to extract", facts: "default: 30; at least 1; e.g. --days 3" },
      {
        flag: "--per-day",
        value: "<n>",
        text: "conversations per day",
        facts: "default: 300; at least 1; e.g. --per-day 50"
      }
    ]
  }
}

/** The command paths with help, `""` being the root. @internal */
export const paths: ReadonlyArray<string> = Object.keys(commands)

/** The flags documented for a command path (for the test that every parsed flag is documented). @internal */
export const flagsOf = (path: string): ReadonlyArray<string> =>
  (commands[path]?.options ?? []).flatMap((o) => o.flag.split(", "))

/** The exit codes, as `--help` prints them. @internal */
export const exitCodes = `exit codes:
  0    done
  1    audit verify found an altered log, or an internal error
  2    usage: a bad flag, interval, --where or query; missing settings; unwritable output
  3    authentication: client credentials or token refused (401/403)
  4    partial or failed extraction or request (see the summary; retries exhausted, network, 4xx)
  130  interrupted by SIGINT (Ctrl-C); extract prints how to resume
  143  terminated by SIGTERM`

const wrap = (text: string, indent: number, width = 100): string => {
  const words = text.split(" ")
  const lines: Array<string> = []
  let current = ""
  for (const word of words) {
    if (current !== "" && indent + current.length + 1 + word.length > width) {
      lines.push(current)
      current = word
    } else current = current === "" ? word : `${current} ${word}`
  }
  if (current !== "") lines.push(current)
  return lines.map((l) => `${" ".repeat(indent)}${l}`).join("\n")
}

/**
 * The help of the command at `path` (`"extract"`, `"jobs results"`), or undefined for an unknown path. Headings are
 * bold only when `ansi` (standard output is a terminal).
 *
 * @internal
 */
export const render = (path: string, ansi: boolean): string | undefined => {
  const help = commands[path]
  if (help === undefined) return undefined
  const heading = (text: string) => (ansi ? `\x1b[1m${text}\x1b[0m` : text)
  const parts: Array<string> = [wrap(help.summary, 0), "", `${heading("usage:")} ${help.usage}`]
  if (help.args !== undefined) {
    parts.push("", heading(path === "" ? "commands:" : "arguments:"))
    const width = Math.max(...help.args.map(([name]) => name.length))
    for (const [name, text] of help.args) parts.push(`  ${name.padEnd(width)}  ${text}`)
  }
  if (help.options.length > 0) {
    parts.push("", heading("options:"))
    for (const o of help.options) {
      parts.push(`  ${o.flag}${o.value !== undefined ? ` ${o.value}` : ""}`)
      parts.push(wrap(o.text, 6))
      if (o.facts !== "") parts.push(wrap(o.facts, 6))
    }
  }
  if (help.notes !== undefined) parts.push("", ...help.notes.split("\n").map((l) => wrap(l, 0)))
  parts.push("", exitCodes.replace("exit codes:", heading("exit codes:")))
  return `${parts.join("\n")}\n`
}

/**
 * The command path whose help `args` (the arguments after the program) ask for, or undefined when they do not ask
 * for help. `-h`/`--help` anywhere asks; the path is the leading words that name a command.
 *
 * @internal
 */
export const requested = (args: ReadonlyArray<string>): string | undefined => {
  if (!args.includes("--help") && !args.includes("-h")) return undefined
  const words: Array<string> = []
  for (const arg of args) {
    if (arg.startsWith("-")) break
    const candidate = [...words, arg].join(" ")
    if (commands[candidate] === undefined) break
    words.push(arg)
  }
  return words.join(" ")
}

/**
 * The help text a command line (the arguments after the program) asks for, or undefined when it does not ask for
 * help. `emulator` is the emulator's own command, with its own help.
 *
 * @internal
 */
export const forArgs = (args: ReadonlyArray<string>, ansi: boolean): string | undefined => {
  if (args[0] === "emulator") return undefined
  const path = requested(args)
  return path === undefined ? undefined : render(path, ansi)
}

/** Removes ANSI escape sequences. @internal */
export const stripAnsi = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
