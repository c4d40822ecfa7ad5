extension WebTemplates {
    /// The F&I manager's and the admin's pages.
    static var moreTemplates: [(String, String)] {
        [
            ("imports", imports), ("import", importPage), ("deals", deals), ("deal", deal), ("menu", menu), ("admin", admin),
            ("opt-outs", optOuts),
        ]
    }
}
