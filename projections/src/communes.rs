//! The 512 communes of Isère (INSEE COG 2026, shipped in `data/isere/`), found
//! by INSEE code or by name, whatever the case, accents, hyphens or
//! apostrophes: "st martin d heres" finds Saint-Martin-d'Hères.

use std::collections::HashMap;

use serde::Deserialize;

const COMMUNES_CSV: &str = include_str!("../../data/isere/communes.csv");

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Commune {
    pub insee: String,
    pub name: String,
    pub postal_code: String,
    pub lat: f64,
    pub lon: f64,
    pub population: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Communes {
    list: Vec<Commune>,
    by_insee: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

/// How a name compares: lower case, no accents, words separated by one space,
/// "st"/"ste" read as "saint"/"sainte".
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'â' | 'ä' | 'á' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ö' | 'ó' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' => "y",
            'ç' => "c",
            'œ' => "oe",
            'æ' => "ae",
            '-' | '\'' | '’' | '.' | ',' | '_' => " ",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(plain);
    }
    out.split_whitespace()
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Communes {
    /// The communes shipped with salle.
    pub fn isere() -> Result<Self, String> {
        Self::from_csv(COMMUNES_CSV)
    }

    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut communes = Self::default();
        for (i, row) in reader.deserialize::<Commune>().enumerate() {
            let commune = row.map_err(|e| format!("communes, row {}: {e}", i + 2))?;
            communes.by_insee.insert(commune.insee.clone(), communes.list.len());
            communes.by_name.insert(fold(&commune.name), communes.list.len());
            communes.list.push(commune);
        }
        Ok(communes)
    }

    /// Every commune, in INSEE order.
    pub fn all(&self) -> &[Commune] {
        &self.list
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn by_insee(&self, insee: &str) -> Option<&Commune> {
        self.by_insee.get(insee.trim()).map(|i| &self.list[*i])
    }

    /// The commune with this INSEE code or this name.
    pub fn find(&self, query: &str) -> Option<&Commune> {
        self.by_insee(query).or_else(|| self.by_name.get(&fold(query)).map(|i| &self.list[*i]))
    }

    /// Up to `limit` communes whose name starts with the query (the largest
    /// first), for suggestions as a person types.
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<&Commune> {
        let folded = fold(query);
        if folded.is_empty() {
            return vec![];
        }
        let mut found: Vec<&Commune> =
            self.list.iter().filter(|c| fold(&c.name).starts_with(&folded)).collect();
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
        found.truncate(limit);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_isere_commune_is_found_by_code_and_by_name() {
        let communes = Communes::isere().unwrap();
        assert_eq!(communes.len(), 512);
        assert_eq!(communes.find("38185").unwrap().name, "Grenoble");
        assert_eq!(communes.find("GRENOBLE").unwrap().insee, "38185");
        assert_eq!(communes.find("st martin d heres").unwrap().insee, "38421");
        assert_eq!(communes.find("Saint-Martin-d’Hères").unwrap().insee, "38421");
        assert_eq!(communes.find("saint martin d'heres").unwrap().insee, "38421");
        assert!(communes.find("Lyon").is_none());
    }

    #[test]
    fn suggestions_put_the_largest_communes_first() {
        let communes = Communes::isere().unwrap();
        let names: Vec<&str> = communes.suggest("gre", 3).iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.first(), Some(&"Grenoble"));
        assert!(communes.suggest("  ", 3).is_empty());
    }
}
