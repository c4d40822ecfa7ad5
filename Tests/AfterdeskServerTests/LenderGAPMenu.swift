import AfterdeskCore

/// The server tests' menu: the shipped one with its GAP sold as a lender's product (a 60-day window, touches at 5, 35
/// and 84% of the exposure: days 3, 21 and 50 for D-1, whose loan stays above the car's value for years), so the
/// dispatch, offer and outcome tests keep a GAP that sends messages. The shipped dealer waiver, which sends none, is
/// tested through the dispatcher in `DealerWaiverDispatchTests`.
func lenderGAPMenuYAML() -> String {
    let text = DefaultMenus.menuYAML
    guard let start = text.range(of: "    gap:\n      sold_as: dealer_waiver\n"),
        let end = text.range(of: "    # A lender's, credit union's")
    else { preconditionFailure("the shipped menu's gap block moved: update lenderGAPMenuYAML") }
    let lender = """
            gap: { sold_as: lender_product, ltv_threshold: 1.00, ltv_cap: 1.50 }
            eligibility: { days_from_contract: 60 }
            timing:
              anchor: loan_to_value
              touches:
                - { name: first, percent_of_exposure: 5 }
                - { name: reminder, percent_of_exposure: 35 }
                - { name: last-call, percent_of_exposure: 84 }

        """
    return text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: lender)
}
