//! libFuzzer's panic hook aborts on every panic, even one the product catches on purpose around a third-party
//! parser (`inetsift::model::contain` turns it into a warning on that file, and the scan goes on). A caught panic
//! is not a find; one that escapes still aborts and is kept.

/// Replaces the hook with one that aborts only for panics outside `contain`.
pub fn only_uncaught_panics_abort() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !inetsift::model::panic_is_contained() {
            abort(info);
        }
    }));
}
