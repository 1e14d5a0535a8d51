// The jobs done so far of each extraction a runner works on, for forecast polls (`extraction/jobForecast`): a job's
// await step polls it when the extraction's fulfilled jobs on this runner say it should be done. Kept in memory only:
// a runner that starts again forecasts from the jobs it sees done from then on.
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as JobForecast from "../extraction/jobForecast.js"

/** The forecast of each extraction (by org and plan hash). @internal */
export class JobForecasts extends Context.Tag("@effect-genesys/analytics/ExtractionWorkflow/JobForecasts")<
  JobForecasts,
  { readonly of: (extraction: string) => Effect.Effect<JobForecast.JobForecast> }
>() {}

/** An empty forecast per extraction, made when its first job is awaited. @internal */
export const layer: Layer.Layer<JobForecasts> = Layer.effect(
  JobForecasts,
  Effect.map(
    Effect.cachedFunction((_: string) => JobForecast.make),
    (of) => ({ of })
  )
)
