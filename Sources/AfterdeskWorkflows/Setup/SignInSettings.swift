import AfterdeskDelivery
import AfterdeskStorage
import Foundation

extension Settings {
    /// The sign-in limits these settings give.
    public var signInLimits: SignInLimits {
        var l = SignInLimits()
        l.pairFailures = signInUserAddressFailures
        l.addressFailures = signInAddressFailures
        l.window = TimeInterval(signInWindowMinutes) * 60
        l.nameFailures = signInNameFailures
        l.nameInterval = TimeInterval(signInSlowSeconds)
        l.nameWindow = TimeInterval(signInNameWindowMinutes) * 60
        l.knownAddressDays = signInKnownAddressDays
        return l
    }
}
