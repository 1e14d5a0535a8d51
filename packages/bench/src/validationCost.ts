/**
 * `node packages/bench/dist/validationCost.js [--pages n] [--rounds n]`: what checking a page of job results costs at
 * each `validation` level, in this process, against `JSON.parse` of the same page. Pages of 1,000 conversations of
 * the emulator's generator (seed 7, the throughput scenario's data), serialised as the emulator serves them; every
 * page is parsed and checked `rounds` times per level, the levels alternated, and the median per page is printed.
 * Writes nothing.
 *
 * @since 0.3.0
 */
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as Generator from "@effect-genesys/emulator/Generator"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { median } from "./stats.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

const levels: ReadonlyArray<ConversationDetails.RecordValidation> = ["full", "conversation"]
const pageSize = 1_000

const main = () => {
  const pages = arg("--pages", 5)
  const rounds = arg("--rounds", 15)
  const dataset = Generator.make({ seed: 7, startDate: "2026-01-05", days: 1, perDay: pages * pageSize })
  const bodies = Array.from({ length: pages }, (_, p) =>
    JSON.stringify({
      conversations: Array.from({ length: pageSize }, (_, i) => dataset.conversation(p * pageSize + i)),
      cursor: `c${p}`
    })
  )
  const decoders = new Map(
    levels.map((level) => [level, Schema.decodeUnknownEither(ConversationDetails.resultsSchema(level))])
  )
  const parseMillis: Array<number> = []
  const checkMillis = new Map(levels.map((level) => [level, [] as Array<number>]))
  for (let round = 0; round < rounds; round++) {
    for (const body of bodies) {
      for (const level of round % 2 === 0 ? levels : [...levels].reverse()) {
        const parsedAt = performance.now()
        const page = JSON.parse(body) as unknown
        const checkedAt = performance.now()
        if (Either.isLeft(decoders.get(level)!(page))) throw new Error(`a generated page failed the ${level} check`)
        checkMillis.get(level)!.push(performance.now() - checkedAt)
        parseMillis.push(checkedAt - parsedAt)
      }
    }
  }
  const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / pages
  console.log(
    `pages of ${pageSize} conversations, ${(bytes / 2 ** 20).toFixed(1)} MiB each; medians of ${rounds * pages}`
  )
  const row = (label: string, millis: ReadonlyArray<number>) =>
    console.log(`${label.padEnd(28)}${median(millis).toFixed(2).padStart(7)} ms a page`)
  row("JSON.parse", parseMillis)
  for (const level of levels) row(`validation: "${level}"`, checkMillis.get(level)!)
}

main()
