#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libFuzzer owns `main` only through its driver: SwiftPM links an executable's entry point
// itself, so each target's main.swift calls `LLVMFuzzerRunDriver` with a C callback.

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

// A C callback cannot capture, so the one test body of the process lives here. It is set
// once, before the driver starts, and libFuzzer calls back on one thread only.
nonisolated(unsafe) private var fuzzBody: ((UnsafeRawBufferPointer) -> Void)?

/// Runs libFuzzer with the process's arguments, calling `body` for every input; never returns.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    fuzzBody = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
        fuzzBody?(input)
        return 0
    }
    exit(status)
}
