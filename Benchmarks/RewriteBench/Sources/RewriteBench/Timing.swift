import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps results alive so the optimizer cannot drop the work that made them.
nonisolated(unsafe) var sink = 0

func clockNanoseconds(_ clock: clockid_t) -> UInt64 {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Seconds per pass, by the wall clock and by this thread's CPU clock.
struct Sample {
    var wall: Double
    var cpu: Double
}

/// Runs `pass` `reps` times and returns the time of one pass.
func timeSample(reps: Int, _ pass: () -> Int) -> Sample {
    var check = 0
    let wall0 = clockNanoseconds(CLOCK_MONOTONIC)
    let cpu0 = clockNanoseconds(CLOCK_THREAD_CPUTIME_ID)
    for _ in 0..<reps { check &+= pass() }
    let cpu1 = clockNanoseconds(CLOCK_THREAD_CPUTIME_ID)
    let wall1 = clockNanoseconds(CLOCK_MONOTONIC)
    sink &+= check
    return Sample(wall: Double(wall1 - wall0) / 1e9 / Double(reps), cpu: Double(cpu1 - cpu0) / 1e9 / Double(reps))
}

struct Distribution {
    let sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func quantile(_ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
    var median: Double { quantile(0.5) }
}

struct Measurement {
    let wall: Distribution
    let cpu: Distribution
    let reps: Int
}

struct Settings {
    /// Samples per subject (each sample several passes, see `sampleSeconds`).
    var samples = 21
    var warmups = 3
    /// Each sample repeats the pass until it lasts about this long.
    var sampleSeconds = 0.03
}

/// Times the subject and the byte-copy baseline in alternation (baseline, subject, baseline,
/// subject, ...), so that load from other processes falls on both alike.
/// `ratio` is the median over sample pairs of baseline CPU time ÷ subject CPU time (a pair
/// ran back to back, so a change of load between pairs cancels out).
func compare(_ settings: Settings, baseline: () -> Int, subject: () -> Int)
    -> (baseline: Measurement, subject: Measurement, ratio: Double)
{
    func calibrate(_ pass: () -> Int) -> Int {
        var one = Sample(wall: 0, cpu: 0)
        for _ in 0..<settings.warmups { one = timeSample(reps: 1, pass) }
        return max(1, Int((settings.sampleSeconds / max(one.cpu, 1e-7)).rounded(.up)))
    }
    let baseReps = calibrate(baseline)
    let subjectReps = calibrate(subject)
    var base: [Sample] = [], subj: [Sample] = []
    for _ in 0..<settings.samples {
        base.append(timeSample(reps: baseReps, baseline))
        subj.append(timeSample(reps: subjectReps, subject))
    }
    return (
        Measurement(wall: Distribution(base.map(\.wall)), cpu: Distribution(base.map(\.cpu)), reps: baseReps),
        Measurement(wall: Distribution(subj.map(\.wall)), cpu: Distribution(subj.map(\.cpu)), reps: subjectReps),
        Distribution(zip(base, subj).map { $0.cpu / $1.cpu }).median
    )
}

/// The baseline: the same input copied into a preallocated (and already touched) buffer in 64 KB pieces.
final class ByteCopy {
    let output: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        output = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
        output.initializeMemory(as: UInt8.self, repeating: 1, count: max(capacity, 1))
    }

    deinit { output.deallocate() }

    func copy(_ input: UnsafeRawBufferPointer, piece: Int = 65536) -> Int {
        var offset = 0
        while offset < input.count {
            let n = min(piece, input.count - offset)
            (output + offset).copyMemory(from: input.baseAddress! + offset, byteCount: n)
            offset += n
        }
        return Int(output.load(fromByteOffset: input.count / 2, as: UInt8.self))
    }
}

/// Feeds `input` to `body` in pieces of `piece` bytes.
@inline(__always)
func inPieces(_ input: UnsafeRawBufferPointer, piece: Int = 65536, _ body: (UnsafeRawBufferPointer) -> Void) {
    var offset = 0
    while offset < input.count {
        let n = min(piece, input.count - offset)
        body(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + n)]))
        offset += n
    }
}

func peakRSSKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}
