import Hummingbird
import NIOCore

/// A dashboard request's context: who it is from (set by
/// `AuthenticationMiddleware`) and the client's address (for the login
/// throttle).
struct DashboardContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: DashboardIdentity?
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The identity the authentication middleware established (a route
    /// runs only after it); the least privileged one if none was.
    var who: DashboardIdentity { identity ?? DashboardIdentity(user: "-", role: .viewer, session: nil) }
}
