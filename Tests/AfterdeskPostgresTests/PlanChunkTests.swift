import Testing

@testable import AfterdeskPostgres

/// How planning divides customers on PostgreSQL: ranges of a lock slot's block or more are aligned to blocks, so two
/// chunks in flight (three at once, `PostgresStorage.chunksInFlight`) never share a slot (the later would wait for the
/// earlier's commit, and the pipeline would stall).
@Suite struct PlanChunkTests {
    @Test func rangesOfABlockOrMoreSpanWholeBlocks() {
        let (chunks, total) = PlanChunkSpec.chunks(customerIDs: nil, lo: 1, hi: 5_000, rangeSize: 2_000)
        #expect(total == 5_000)
        #expect(chunks.map { $0.ids.first } == [1, 2_048, 4_096])
        #expect(chunks.map { $0.ids.last } == [2_047, 4_095, 5_000])
        #expect(chunks.map(\.done) == [2_047, 4_095, 5_000])
        // Every customer once, in order.
        #expect(chunks.flatMap(\.ids) == Array(1...5_000))
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(Set(PlanLocks.slots(a.ids)).isDisjoint(with: PlanLocks.slots(b.ids)))
        }
        // Any three in a row, over a million customers.
        let (many, _) = PlanChunkSpec.chunks(customerIDs: nil, lo: 1, hi: 1_000_000, rangeSize: 2_000)
        for start in many.indices.dropLast(PostgresStorage.chunksInFlight - 1) {
            let window = many[start..<(start + PostgresStorage.chunksInFlight)].map { PlanLocks.slots($0.ids) }
            #expect(window.flatMap { $0 }.count == Set(window.flatMap { $0 }).count)
        }
    }

    @Test func givenCustomersOfABlockOrMoreEndWithTheirBlock() {
        // An import's customers: ascending, dense, with gaps.
        let ids = (1...9_000).map(Int64.init).filter { $0 % 7 != 0 }
        let (chunks, total) = PlanChunkSpec.chunks(customerIDs: ids, lo: 0, hi: -1, rangeSize: 2_000)
        #expect(total == ids.count && chunks.allSatisfy(\.given))
        #expect(chunks.flatMap(\.ids) == ids)
        #expect(chunks.map(\.done) == chunks.indices.map { i in chunks[...i].reduce(0) { $0 + $1.ids.count } })
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.ids.count >= 2_000 && a.ids.count < 2_000 + Int(PlanLocks.block))
            #expect(Set(PlanLocks.slots(a.ids)).isDisjoint(with: PlanLocks.slots(b.ids)))
        }
        // Cut at 2,000 ids, they were four chunks, each ending inside a block the next began in.
        #expect(chunks.map { $0.ids.last } == [3_071, 6_143, 9_000])
    }

    @Test func smallRangesAndGivenCustomersAreAsAsked() {
        let (small, _) = PlanChunkSpec.chunks(customerIDs: nil, lo: 5, hi: 11, rangeSize: 3)
        #expect(small.map(\.ids) == [[5, 6, 7], [8, 9, 10], [11]])
        let (given, total) = PlanChunkSpec.chunks(customerIDs: [9, 3, 2_000], lo: 0, hi: -1, rangeSize: 2)
        #expect(given.map(\.ids) == [[9, 3], [2_000]] && given.allSatisfy(\.given) && total == 3)
    }

    @Test func slotsAreABlocksFoldedOntoTwoHundredFiftySix() {
        #expect(PlanLocks.slots([0, 1_023, 1_024, 262_144 + 5]) == [0, 1])
        #expect(PlanLocks.slots([255 * 1_024]) == [255])
    }
}
