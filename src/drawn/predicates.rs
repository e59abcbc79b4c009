//! The exact predicates of the stage, and the one rule that counts a
//! winding number along a ray.
//!
//! Every answer is exact (`robust`'s `orient2d`). Where a unit and a drawn
//! territory share vertices or edges, ties are broken as if the unit were
//! moved by an infinitesimal `δ = (ε, ε²)` ("simulation of simplicity"): the
//! moved configuration has no vertex on an edge, and the areas measured are
//! continuous in `δ` (see [`super::share`]).

use geo::Coord;
use geo::kernels::{Kernel, Orientation, RobustKernel};

/// Sign of the turn `a → b → c`: 1 left, -1 right, 0 collinear (exact).
pub fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i32 {
    match RobustKernel::orient2d(a, b, c) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// Side of the point `a + δ` from the line `b0 → b1`: 1 left, -1 right, never 0.
/// `orient(b0, b1, a + δ) = orient(b0, b1, a) − (b1−b0).y ε + (b1−b0).x ε²`.
pub fn side_of_moved_point(b0: Coord<f64>, b1: Coord<f64>, a: Coord<f64>) -> i32 {
    match orient(b0, b1, a) {
        0 if b1.y != b0.y => {
            if b1.y < b0.y {
                1
            } else {
                -1
            }
        }
        0 => {
            if b1.x > b0.x {
                1
            } else {
                -1
            }
        }
        o => o,
    }
}

/// Side of the point `b` from the moved line `a0 + δ → a1 + δ`.
/// `orient(a0 + δ, a1 + δ, b) = orient(a0, a1, b) + (a1−a0).y ε − (a1−a0).x ε²`.
pub fn side_of_moved_line(a0: Coord<f64>, a1: Coord<f64>, b: Coord<f64>) -> i32 {
    match orient(a0, a1, b) {
        0 if a1.y != a0.y => {
            if a1.y > a0.y {
                1
            } else {
                -1
            }
        }
        0 => {
            if a1.x < a0.x {
                1
            } else {
                -1
            }
        }
        o => o,
    }
}

/// Change of the winding number around a point `p` as edge `a → b` crosses
/// the horizontal ray from `p` (towards −x when `leftward`, else +x).
/// `above` says which ends of the edge lie above the ray's line (the caller
/// decides ties); `side` is the side of `p` from the edge (1 left, -1 right).
pub fn ray_step(above: (bool, bool), side: i32, leftward: bool) -> i32 {
    match (above, leftward) {
        // Upward with `p` on its left: it crosses the ray right of `p`.
        ((false, true), false) if side > 0 => 1,
        ((true, false), false) if side < 0 => -1,
        ((false, true), true) if side < 0 => -1,
        ((true, false), true) if side > 0 => 1,
        _ => 0,
    }
}
