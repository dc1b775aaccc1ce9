import Milter

// Before anything can start a thread: libmilter takes SIGTERM/SIGINT/SIGHUP with sigwait.
MilterSignals.blockTerminationSignals()
TrackingMilterCommand.main()
