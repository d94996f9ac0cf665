//! Prints the mean of the numbers given on the command line.

fn main() {
    let values: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    println!("{}", demo_utils::describe_mean(&values));
    println!("clamped: {}", demo_core::clamp(values.len() as i64, 0, 10));
}
