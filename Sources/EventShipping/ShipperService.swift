import ServiceLifecycle

/// The shipper as a swift-service-lifecycle service (the tracker's in-process shipper): a
/// graceful shutdown stops it between batches, then its HTTP client closes.
public struct ShipperService: Service {
    let setup: ShipperSetup

    public init(_ setup: ShipperSetup) { self.setup = setup }

    public func run() async throws {
        _ = await withGracefulShutdownHandler {
            await setup.shipper.run()
        } onGracefulShutdown: {
            setup.shipper.stop()
        }
        await setup.close()
    }
}
