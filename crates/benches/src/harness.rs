//! One way to time an operation, shared by the criterion benches, `compare`, `allocs` and
//! `profile`, so that every tool measures exactly the same closure.

use core::fmt;
use core::future::Future;
use core::hint::black_box;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// An operation that can be timed, counted and checked.
pub trait Routine {
    /// Runs the operation `iters` times and returns the time spent in the operation only
    /// (input preparation and dropping prepared inputs' outputs are outside the clock).
    fn time(&mut self, iters: u64) -> Duration;

    /// Runs the operation once and reports whether it succeeded. `wrap` is called with the
    /// operation alone (input preparation excluded), so an allocation counter can bracket it.
    ///
    /// # Errors
    /// The operation's error, formatted, when it failed: a benchmark of a failing path would
    /// measure the wrong thing.
    fn run_once(&mut self, wrap: &mut dyn FnMut(&mut dyn FnMut())) -> Result<(), String>;
}

/// A boxed routine.
pub type BoxRoutine = Box<dyn Routine>;

/// An operation that needs no fresh input: `f` borrows prepared fixtures.
pub struct Plain<F>(F);

impl<F> fmt::Debug for Plain<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Plain")
    }
}

/// Wraps an operation that borrows its inputs; its result is dropped inside the clock.
pub fn plain<F, T, E>(f: F) -> BoxRoutine
where
    F: FnMut() -> Result<T, E> + 'static,
    E: fmt::Debug,
{
    Box::new(Plain(f))
}

impl<F, T, E> Routine for Plain<F>
where
    F: FnMut() -> Result<T, E>,
    E: fmt::Debug,
{
    fn time(&mut self, iters: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            drop(black_box((self.0)()));
        }
        start.elapsed()
    }

    fn run_once(&mut self, wrap: &mut dyn FnMut(&mut dyn FnMut())) -> Result<(), String> {
        let mut out = None;
        wrap(&mut || out = Some((self.0)()));
        match out {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(format!("{e:?}")),
            None => Err("the wrapper did not run the operation".to_owned()),
        }
    }
}

/// An operation that consumes or mutates its input (a request to sign, a body to collect):
/// `setup` makes a fresh input outside the clock, `run` is timed.
pub struct Batched<S, R> {
    setup: S,
    run: R,
}

impl<S, R> fmt::Debug for Batched<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Batched")
    }
}

/// Wraps an operation with per-iteration input; outputs are dropped outside the clock.
pub fn batched<S, R, I, T, E>(setup: S, run: R) -> BoxRoutine
where
    S: FnMut() -> I + 'static,
    R: FnMut(I) -> Result<T, E> + 'static,
    I: 'static,
    T: 'static,
    E: fmt::Debug + 'static,
{
    Box::new(Batched { setup, run })
}

/// Inputs are prepared in chunks so memory stays bounded for criterion's large iteration counts.
const CHUNK: u64 = 512;

impl<S, R, I, T, E> Routine for Batched<S, R>
where
    S: FnMut() -> I,
    R: FnMut(I) -> Result<T, E>,
    E: fmt::Debug,
{
    fn time(&mut self, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(CHUNK);
            left -= n;
            let inputs: Vec<I> = (0..n).map(|_| (self.setup)()).collect();
            // `n` ≤ CHUNK, so the cast cannot truncate.
            let mut outputs = Vec::with_capacity(n as usize);
            let mut inputs = inputs.into_iter();
            let start = Instant::now();
            for input in inputs.by_ref() {
                outputs.push(black_box((self.run)(input)));
            }
            total += start.elapsed();
            drop(outputs);
        }
        total
    }

    fn run_once(&mut self, wrap: &mut dyn FnMut(&mut dyn FnMut())) -> Result<(), String> {
        let mut input = Some((self.setup)());
        let mut out = None;
        wrap(&mut || {
            if let Some(i) = input.take() {
                out = Some((self.run)(i));
            }
        });
        match out {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(format!("{e:?}")),
            None => Err("the wrapper did not run the operation".to_owned()),
        }
    }
}

/// Polls a future that is ready at once (httpsig-hyper's async API over in-memory bodies and
/// no I/O) with a no-op waker: no executor overhead is charged to httpsig-hyper.
///
/// # Panics
/// If the future is pending, which would mean httpsig-hyper started real I/O: a harness bug,
/// not a measurement.
pub fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("an httpsig-hyper future over an in-memory body was pending"),
    }
}

/// How long and how often `measure` samples.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Warm-up time per routine.
    pub warm_up: Duration,
    /// Wall time of one sample of one routine.
    pub sample: Duration,
    /// Number of samples per routine (odd, so the median is one sample).
    pub samples: usize,
}

impl Budget {
    /// The default run: about 1 s per routine.
    pub const NORMAL: Self = Self {
        warm_up: Duration::from_millis(200),
        sample: Duration::from_millis(25),
        samples: 31,
    };

    /// `--quick`: a smoke run, about 0.1 s per routine.
    pub const QUICK: Self = Self {
        warm_up: Duration::from_millis(30),
        sample: Duration::from_millis(5),
        samples: 11,
    };
}

/// Times several routines that do the same job, interleaving their samples (A, B, C, A, B,
/// C, ...) so that a change in machine load during the run hits all of them alike, and returns
/// each one's median time per iteration in nanoseconds.
pub fn measure(routines: &mut [&mut BoxRoutine], budget: Budget) -> Vec<f64> {
    let iters: Vec<u64> = routines
        .iter_mut()
        .map(|r| calibrate(r.as_mut(), budget.sample))
        .collect();
    for (r, &n) in routines.iter_mut().zip(&iters) {
        let start = Instant::now();
        while start.elapsed() < budget.warm_up {
            r.time(n);
        }
    }
    let mut per_iter: Vec<Vec<f64>> = vec![Vec::with_capacity(budget.samples); routines.len()];
    for _ in 0..budget.samples {
        for ((r, &n), out) in routines.iter_mut().zip(&iters).zip(per_iter.iter_mut()) {
            let d = r.time(n);
            // Iteration counts stay far below 2^52, so the conversion is exact.
            out.push(d.as_secs_f64() * 1e9 / n as f64);
        }
    }
    per_iter.into_iter().map(median).collect()
}

/// The number of iterations that takes about `target`.
fn calibrate(r: &mut dyn Routine, target: Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let d = r.time(n);
        if d >= target / 4 || n >= 1 << 30 {
            let per = d.as_secs_f64() / n as f64;
            let want = (target.as_secs_f64() / per.max(1e-10)).ceil();
            // `want` is positive and bounded by the clamp below before the cast.
            return want.clamp(1.0, (1u64 << 32) as f64) as u64;
        }
        n *= 2;
    }
}

/// The median of a non-empty sample set (NaN for an empty one).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v.get(mid).copied().unwrap_or(f64::NAN)
    } else {
        match (v.get(mid - 1), v.get(mid)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_sets() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }

    #[test]
    fn batched_prepares_one_input_per_iteration_outside_the_wrapper() {
        use std::cell::Cell;
        use std::rc::Rc;
        let made = Rc::new(Cell::new(0u64));
        let used = Rc::new(Cell::new(0u64));
        let (m, u) = (Rc::clone(&made), Rc::clone(&used));
        let mut r = batched(
            move || m.set(m.get() + 1),
            move |()| -> Result<(), ()> {
                u.set(u.get() + 1);
                Ok(())
            },
        );
        // More than one chunk, so the chunking is exercised.
        r.time(CHUNK * 2 + 3);
        assert_eq!((made.get(), used.get()), (CHUNK * 2 + 3, CHUNK * 2 + 3));
        let before = made.get();
        let mut made_inside = 0;
        r.run_once(&mut |op| {
            let at = made.get();
            op();
            made_inside += made.get() - at;
        })
        .unwrap();
        assert_eq!((made.get() - before, made_inside), (1, 0));
    }

    #[test]
    fn a_failing_operation_is_reported() {
        let mut r = plain(|| -> Result<(), &str> { Err("nope") });
        assert_eq!(r.run_once(&mut |op| op()), Err("\"nope\"".to_owned()));
    }
}
