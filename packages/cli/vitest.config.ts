import { defineProject, mergeConfig } from "vitest/config"
import { childProcesses, shared } from "../../vitest.shared.js"

// Cli.test.ts runs the command as child processes; two at a time keeps a 2-core machine busy without starving it.
export default mergeConfig(mergeConfig(shared, childProcesses), defineProject({ test: { maxConcurrency: 2 } }))
