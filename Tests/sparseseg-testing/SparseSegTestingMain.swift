import Commands
import RunnerTestJobs

/// The tests' `sparseseg-testing`: the very command line of the shipped `sparseseg`, whose
/// workers also run the runner's test jobs (``TestJobExecutor``: `test.sleep`, `test.crash`,
/// ...). Its `run` starts workers of this same executable, as `sparseseg run` does of its own.
@main
enum SparseSegTestingMain {
    static func main() async {
        await SparseSeg.main(executors: SparseSeg.productionExecutors + [TestJobExecutor()])
    }
}
