import Commands

/// The shipped `sparseseg`: the command line of ``Commands`` with the production job executors
/// only (the tests' `sparseseg-testing` adds the runner's test jobs).
@main
enum SparseSegMain {
    static func main() async {
        await SparseSeg.main(executors: SparseSeg.productionExecutors)
    }
}
