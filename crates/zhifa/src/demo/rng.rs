//! A small deterministic generator (SplitMix64) so the demo data is the same on every
//! machine and every run.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈", "姚",
    "卢", "钟", "谭", "陆", "范", "廖", "方", "邹", "熊", "江", "黎", "温", "莫", "区", "麦", "冼",
    "欧阳", "司徒",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "建国", "志强", "永康", "家豪", "嘉俊", "文杰",
    "子轩", "海峰", "国栋", "振华", "立新", "卫东", "锦荣",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "倩", "颖", "慧",
    "晶", "欣", "秀英", "丽华", "淑珍", "美玲", "嘉欣", "诗琪", "晓婷", "雅雯", "紫涵", "佩珊",
    "咏仪", "凤仪",
];

/// A Chinese personal name of the given sex (true = male).
pub fn person_name(rng: &mut Rng, male: bool) -> String {
    let given = if male { MALE } else { FEMALE };
    let g = *rng.pick(given);
    format!("{}{}", rng.pick(SURNAMES), g)
}
