/**
 * Warming the conversation cache for what a client will ask for next: a submitted job's results while the job runs,
 * and the next page while it is still reading the current one (on two cores the emulator then generates page k+1
 * as the client parses page k). The work runs in small slices on the event loop (`setImmediate`), so socket writes
 * and new requests are served between slices; a request that arrives mid-warm-up generates what is still missing
 * itself and the warm-up skips it.
 */

export interface ReadAhead {
  /** Replace the pending warm-up under `key` (a job's results, or its next page) with `indices`. */
  readonly schedule: (key: string, indices: ReadonlyArray<number>) => void
  /** Conversations scheduled and not warmed yet, over every key. */
  readonly pending: () => number
  /** Resolves once no warm-up is pending. */
  readonly idle: () => Promise<void>
  /** Drop every pending warm-up. */
  readonly stop: () => void
}

interface Task {
  readonly indices: ReadonlyArray<number>
  next: number
}

/** Indices warmed per event-loop turn: a few milliseconds of generation. */
const SLICE = 32
/** Jobs warmed at once; a client reading more jobs than this in parallel loses only the oldest warm-ups. */
const MAX_TASKS = 16

export const make = (fill: (index: number) => void): ReadAhead => {
  const tasks = new Map<string, Task>()
  let timer: ReturnType<typeof setImmediate> | undefined
  let waiters: Array<() => void> = []

  const settle = () => {
    const done = waiters
    waiters = []
    for (const resolve of done) resolve()
  }

  const pump = () => {
    timer = undefined
    const first = tasks.entries().next()
    if (first.done === true) return settle()
    const [key, task] = first.value
    const end = Math.min(task.indices.length, task.next + SLICE)
    try {
      for (; task.next < end; task.next++) fill(task.indices[task.next]!)
    } catch {
      // Outside any request: a failure here must not take the server down. The request for the page will
      // generate it again and answer 500 if it fails there too.
      task.next = task.indices.length
    }
    // Round robin: the job just served goes to the back.
    tasks.delete(key)
    if (task.next < task.indices.length) tasks.set(key, task)
    if (tasks.size > 0) timer = setImmediate(pump)
    else settle()
  }

  return {
    schedule: (key, indices) => {
      tasks.delete(key)
      if (indices.length === 0) return
      tasks.set(key, { indices, next: 0 })
      if (tasks.size > MAX_TASKS) tasks.delete(tasks.keys().next().value!)
      timer ??= setImmediate(pump)
    },
    pending: () => {
      let n = 0
      for (const task of tasks.values()) n += task.indices.length - task.next
      return n
    },
    idle: () => (tasks.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    stop: () => {
      if (timer !== undefined) clearImmediate(timer)
      timer = undefined
      tasks.clear()
      settle()
    }
  }
}
