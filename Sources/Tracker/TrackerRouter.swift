import Hummingbird
import Tracking

/// The tracker's routes on Hummingbird's `Router`. The tracked-URL shape comes from
/// `TrackingURL`, the one definition the rewriter uses to make the links. GET and HEAD are
/// served, and POST on `/u/` (the one-click unsubscribe); other methods on a known path get
/// `405`, anything else `404`.
extension TrackerCore {
    /// Methods that are answered with `405 Method Not Allowed` on the tracker's paths.
    static let refusedMethods: [HTTPRequest.Method] = [.post, .put, .delete, .patch, .options, .trace, .connect]

    public func makeRouter() -> Router<TrackerRequestContext> {
        let router = Router(context: TrackerRequestContext.self)
        router.add(middleware: TrackerMetricsMiddleware(metrics: metrics))
        route(router, TrackerRoute.clickPath, .click) { core, request, context in
            core.click(context.parameters["token"] ?? "", headers: request.headers, peer: { context.peerAddress })
        }
        route(router, TrackerRoute.openPath, .open) { core, request, context in
            core.open(context.parameters["token"] ?? "", headers: request.headers, peer: { context.peerAddress })
        }
        // `/q/` without a token still gets the pixel: a mail client shows no broken image.
        // Hummingbird matches `/q` too, which is no open URL.
        route(router, TrackerRoute.emptyOpenPath, .open) { core, request, context in
            guard request.uri.path.hasSuffix("/") else { return (.notFound, Responses.notFound()) }
            return core.open("", headers: request.headers, peer: { context.peerAddress })
        }
        route(router, TrackerRoute.unsubscribePath, .unsubscribe, post: { core, request, context in
            var request = request
            let body: [UInt8]?
            do {
                body = Array(buffer: try await request.collectBody(upTo: OneClickForm.maxBodyBytes))
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                body = nil
            }
            return core.unsubscribe(context.parameters["token"] ?? "", body: body, headers: request.headers, peer: { context.peerAddress })
        }) { core, _, context in
            core.unsubscribePage(context.parameters["token"] ?? "")
        }
        route(router, TrackerRoute.healthzPath, .healthz) { _, _, _ in (.ok, Responses.healthy()) }
        if servesMetrics {
            route(router, TrackerRoute.metricsPath, .metrics) { core, _, _ in
                core.updateGauges()
                return (.ok, Responses.metrics(core.metrics.exposition()))
            }
        }
        return router
    }

    /// GET and HEAD answered by `answer` (HEAD without the body), POST by `post` when given,
    /// other methods refused; every answer counted by route and outcome.
    private func route(
        _ router: Router<TrackerRequestContext>, _ path: RouterPath, _ route: TrackerRoute,
        post: (@Sendable (TrackerCore, Request, TrackerRequestContext) async throws -> (TrackerOutcome, Response))? = nil,
        _ answer: @escaping @Sendable (TrackerCore, Request, TrackerRequestContext) -> (TrackerOutcome, Response)
    ) {
        router.on(path, method: .get) { [self] request, context in
            let (outcome, response) = answer(self, request, context)
            metrics.request(route, outcome)
            return response
        }
        router.on(path, method: .head) { [self] request, context in
            let (outcome, response) = answer(self, request, context)
            metrics.request(route, outcome)
            return response.createHeadResponse()
        }
        if let post {
            router.on(path, method: .post) { [self] request, context in
                let (outcome, response) = try await post(self, request, context)
                metrics.request(route, outcome)
                return response
            }
        }
        let allowed = post == nil ? Responses.allowReading : Responses.allowReadingAndPost
        for method in Self.refusedMethods where post == nil || method != .post {
            router.on(path, method: method) { [self] _, _ in
                metrics.request(route, .methodNotAllowed)
                return Responses.methodNotAllowed(allow: allowed)
            }
        }
    }
}

/// Times every request by route; a path that matched no route is counted as `other`/`not_found`.
struct TrackerMetricsMiddleware: RouterMiddleware {
    typealias Context = TrackerRequestContext
    let metrics: TrackerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = TrackerRoute(endpoint: context.endpointPath)
        let response: Response
        if route == .other {
            metrics.request(.other, .notFound)
            response = Responses.notFound()
        } else {
            response = try await next(request, context)
        }
        metrics.duration(route, ContinuousClock.now - start)
        return response
    }
}

extension TrackerRoute {
    static let clickPath = RouterPath("/\(TrackingURL.clickSegment)/:sublink/:token")
    static let openPath = RouterPath("/\(TrackingURL.openSegment)/:token")
    static let unsubscribePath = RouterPath("/\(TrackingURL.listUnsubscribeSegment)/:token")
    static let emptyOpenPath = RouterPath("/\(TrackingURL.openSegment)")
    static let healthzPath = RouterPath("/healthz")
    static let metricsPath = RouterPath("/metrics")
    /// Endpoint paths as Hummingbird reports them in the request context.
    private static let byEndpoint: [String: TrackerRoute] = [
        clickPath.description: .click, openPath.description: .open, emptyOpenPath.description: .open,
        unsubscribePath.description: .unsubscribe,
        healthzPath.description: .healthz, metricsPath.description: .metrics,
    ]

    /// The route of a matched endpoint path (`other` when no route matched).
    init(endpoint: String?) {
        self = endpoint.flatMap { Self.byEndpoint[$0] } ?? .other
    }
}
