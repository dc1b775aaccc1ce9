import Foundation
import Synchronization
import Tracking

/// A loaded `policy_script`: the operator's Lua, checked once when the configuration loads
/// and then run for every message by a pool of interpreters. It belongs to one
/// configuration snapshot, so a reload brings a new one while messages in flight finish
/// with the script they started with.
public final class PolicyScript: Sendable {
    public let path: String
    public let budget: PolicyScriptBudget
    private let source: ScriptSource
    /// Idle interpreters. The lock is held only to take or return one, never while a
    /// script runs, so concurrent messages run their scripts in parallel.
    private let idle: Mutex<[LuaInterpreter]>

    /// Idle interpreters kept beyond this are closed: a burst of concurrency does not pin
    /// its memory for ever.
    static let maxIdle = 32

    /// Reads and loads the script at `path`.
    public static func load(path: String, budget: PolicyScriptBudget = PolicyScriptBudget()) throws(PolicyScriptError) -> PolicyScript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PolicyScriptError(.unreadable, "\(path): cannot read the policy script; check the path and its permissions")
        }
        return try PolicyScript(source: Array(data), path: path, budget: budget)
    }

    /// Loads `source` as if read from `path`: compiles it and runs its top level, so a
    /// syntax error or a bad registration stops the configuration from loading.
    public init(source: [UInt8], path: String, budget: PolicyScriptBudget = PolicyScriptBudget()) throws(PolicyScriptError) {
        self.path = path
        self.budget = budget
        self.source = ScriptSource(path: path, bytes: source)
        let first = try LuaInterpreter.make(self.source, budget: budget)
        idle = Mutex([first])
    }

    /// The context variables after the script, starting from `base` (what the rules set).
    /// A failure (an error, or a budget overrun) is thrown with the script's FILE:LINE; the
    /// interpreter that failed is closed, since the script may have left it half-changed.
    public func evaluate(_ input: PolicyScriptInput, over base: PolicyValues) throws(PolicyScriptError) -> PolicyValues {
        let interpreter = try take()
        let values = try interpreter.evaluate(input, over: base)
        giveBack(interpreter)
        return values
    }

    private func take() throws(PolicyScriptError) -> LuaInterpreter {
        if let ready = idle.withLock({ $0.popLast() }) { return ready }
        return try LuaInterpreter.make(source, budget: budget)
    }

    private func giveBack(_ interpreter: LuaInterpreter) {
        idle.withLock { list in
            if list.count < Self.maxIdle { list.append(interpreter) }
        }
    }

    /// Interpreters waiting for a message (for tests).
    var idleCount: Int { idle.withLock { $0.count } }
}
