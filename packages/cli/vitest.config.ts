import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.js"

// Cli.test.ts runs the command as child processes; two at a time keeps a 2-core machine busy without starving it.
export default mergeConfig(shared, defineProject({ test: { maxConcurrency: 2 } }))
