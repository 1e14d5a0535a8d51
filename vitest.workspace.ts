export default ["packages/analytics", "packages/emulator", "packages/sql", "packages/cli", "packages/bench"]
