//! tmp
#[test]
fn timing() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/laws"));
    let t = std::time::Instant::now();
    let c = zhifa_laws::load_dir(dir).unwrap();
    eprintln!("load_dir {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut texts = vec![];
    for l in &c.laws { texts.push((l.source_file.clone(), std::fs::read_to_string(dir.join(&l.source_file)).unwrap())); }
    eprintln!("read {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for (p, s) in &texts { let _ = zhifa_laws::parse_law(p, s); }
    eprintln!("parse {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let _ = zhifa_laws::load_embedded();
    eprintln!("embedded {:?}", t.elapsed());
}
