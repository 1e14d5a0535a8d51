/**
 * Per-request latency: a seeded log-normal given by its median and 99th percentile. The n-th request the emulator
 * receives waits `sample(spec, seed, n)` milliseconds on the emulator's `Clock` before it is answered. Pure
 * functions of (spec, seed, n), so tests check the distribution without sleeping.
 */
import type { LatencyOptions } from "../../EmulatorOptions.js"
import { mix, Salt } from "./ids.js"

/** The 99th percentile of the standard normal distribution. */
export const Z99 = 2.3263478740408408

// Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
const a = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239
]
const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
const c = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783
]
const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
const pLow = 0.02425

const tail = (q: number): number =>
  (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
  ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)

/** The standard normal quantile of `p` in (0, 1). */
export const normalQuantile = (p: number): number => {
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/** `mu` and `sigma` of the normal whose exponential has the given median and 99th percentile. */
export const parameters = (spec: LatencyOptions): { readonly mu: number; readonly sigma: number } => ({
  mu: Math.log(spec.medianMillis),
  // A p99 at or below the median is a fixed delay.
  sigma: Math.max(0, Math.log(spec.p99Millis / spec.medianMillis)) / Z99
})

/** The distribution's mean in milliseconds: `median · e^(σ²/2)` (the expected time of one request). */
export const meanMillis = (spec: LatencyOptions): number =>
  spec.medianMillis * Math.exp(parameters(spec).sigma ** 2 / 2)

/** A uniform draw in (0, 1) for request `n`, never 0 or 1. */
const uniform = (seed: number, n: number): number => (mix(seed, n, Salt.latency) + 0.5) / 4294967296

/** The delay of request `n` (0-based, in arrival order) in whole milliseconds. */
export const sample = (spec: LatencyOptions, seed: number, n: number): number => {
  const { mu, sigma } = parameters(spec)
  return Math.max(0, Math.round(Math.exp(mu + sigma * normalQuantile(uniform(seed, n)))))
}

/** The delays of successive requests (a counter over `sample`), or undefined when `spec` is. */
export const sampler = (spec: LatencyOptions | undefined, seed: number): (() => number) | undefined => {
  if (spec === undefined) return undefined
  let n = 0
  return () => sample(spec, seed, n++)
}
