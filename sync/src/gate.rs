//! [`StartGate`]: lets every worker of a stress round start at the same moment.

/// Holds workers back until all of them have arrived, so their work overlaps.
///
/// On real threads it is a [`std::sync::Barrier`]; under loom and shuttle it does
/// nothing, because those explore every order of the workers' first steps anyway
/// (and loom has no barrier).
pub struct StartGate {
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    barrier: std::sync::Barrier,
}

impl StartGate {
    /// A gate for `workers` threads.
    pub fn new(workers: usize) -> Self {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let _ = workers;
        Self {
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            barrier: std::sync::Barrier::new(workers),
        }
    }

    /// Waits until every worker has called `wait` (a no-op when exploring schedules).
    pub fn wait(&self) {
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        self.barrier.wait();
    }
}

impl std::fmt::Debug for StartGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The same in every backend.
        f.write_str("StartGate { .. }")
    }
}
