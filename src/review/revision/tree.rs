//! A past revision's tree read from git's objects into a [`Model`], entry by entry and
//! iteratively (no recursion a deep tree could exhaust the stack with), before anything is
//! written. Each name is judged, names are compared within their folder, each object's size
//! is read from its header before the object itself, and every bound of [`Limits`] holds;
//! a link's target is read here so that [`super::links`] can resolve it on the model.

use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, VecDeque};

use gix::ObjectId;
use gix::bstr::{BStr, BString};
use gix::objs::Kind as ObjectKind;

use super::{EntryPath, Limits, Problem, Unreadable, names};

/// A symbolic link's target is a path: longer than `PATH_MAX` it cannot be followed.
const LINK_TARGET_BYTES: u64 = 4096;

/// The tree as read, breadth first: node 0 is the root folder, and each folder's entries
/// follow in their order, after the folder.
pub struct Model {
    pub nodes: Vec<Node>,
}

pub struct Node {
    /// The folder holding it (the root holds itself).
    pub parent: usize,
    pub name: BString,
    pub kind: Kind,
}

pub enum Kind {
    Folder {
        /// Its entries by [`names::folded`] name.
        children: HashMap<BString, usize>,
        depth: usize,
    },
    File {
        id: ObjectId,
        executable: bool,
    },
    Link {
        target: BString,
    },
    /// A submodule's commit: written as an empty folder, as a clone without submodules has it.
    Submodule,
}

impl Model {
    /// The `/`-separated path of node `index` (empty for the root).
    pub fn path(&self, index: usize) -> BString {
        let mut names = Vec::new();
        let mut at = index;
        while at != 0 {
            names.push(self.nodes[at].name.as_slice());
            at = self.nodes[at].parent;
        }
        names.reverse();
        names.join(&b'/').into()
    }

    fn child_path(&self, folder: usize, name: &BStr) -> EntryPath {
        let mut path = self.path(folder);
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        EntryPath(path)
    }
}

/// Reads the tree `root` of `repo` within `limits`.
pub fn read(repo: &gix::Repository, root: ObjectId, limits: &Limits) -> Result<Model, Unreadable> {
    let folder = Kind::Folder { children: HashMap::new(), depth: 0 };
    let mut model =
        Model { nodes: vec![Node { parent: 0, name: BString::default(), kind: folder }] };
    let mut budget = Budget { limits, entries: 0, bytes: 0, link_bytes: 0 };
    let mut pending = VecDeque::from([(0, root)]);
    while let Some((folder, id)) = pending.pop_front() {
        let depth = match model.nodes[folder].kind {
            Kind::Folder { depth, .. } => depth,
            _ => unreachable!("only folders are pending"),
        };
        let path = || EntryPath(model.path(folder));
        let tree = budget.read(repo, id, ObjectKind::Tree, limits.object_bytes, &path)?;
        let decoded = gix::objs::TreeRef::from_bytes(&tree, repo.object_hash())
            .map_err(|e| Unreadable::Objects { path: path(), message: super::one_line(&e) })?;
        let mut children: HashMap<BString, usize> = HashMap::with_capacity(decoded.entries.len());
        for entry in decoded.entries {
            budget.entries += 1;
            if budget.entries > limits.entries {
                return Err(Unreadable::TooManyEntries(limits.entries));
            }
            let index = model.nodes.len();
            let path = || model.child_path(folder, entry.filename);
            let refuse = |problem: Problem| Unreadable::Entry { path: path(), problem };
            names::judge(entry.filename, entry.mode.is_link()).map_err(|n| refuse(n.into()))?;
            match children.entry(names::folded(entry.filename)) {
                Slot::Occupied(taken) => {
                    let other = &model.nodes[*taken.get()].name;
                    return Err(refuse(match other == entry.filename {
                        true => Problem::Duplicate,
                        false => Problem::CaseCollision(other.clone()),
                    }));
                }
                Slot::Vacant(free) => free.insert(index),
            };
            let id = entry.oid.to_owned();
            let mode = entry.mode.value();
            // Git's own checkout knows these four types; any other mode is refused.
            let kind = match mode & 0o170000 {
                0o040000 if depth + 1 > limits.depth => {
                    return Err(refuse(Problem::TooDeep(limits.depth)));
                }
                0o040000 => {
                    pending.push_back((index, id));
                    Kind::Folder { children: HashMap::new(), depth: depth + 1 }
                }
                0o100000 => {
                    budget.count(repo, id, ObjectKind::Blob, limits.object_bytes, &path)?;
                    Kind::File { id, executable: mode & 0o100 != 0 }
                }
                0o120000 => {
                    let target =
                        budget.read(repo, id, ObjectKind::Blob, LINK_TARGET_BYTES, &path)?;
                    budget.link_bytes += target.len() as u64;
                    if budget.link_bytes > limits.link_bytes {
                        return Err(Unreadable::TooManyLinkBytes(limits.link_bytes));
                    }
                    Kind::Link { target: target.into() }
                }
                0o160000 => Kind::Submodule,
                _ => return Err(refuse(Problem::UnknownMode(mode))),
            };
            model.nodes.push(Node { parent: folder, name: entry.filename.to_owned(), kind });
        }
        if let Kind::Folder { children: held, .. } = &mut model.nodes[folder].kind {
            *held = children;
        }
    }
    Ok(model)
}

/// What the objects read so far cost.
struct Budget<'l> {
    limits: &'l Limits,
    entries: usize,
    bytes: u64,
    link_bytes: u64,
}

impl Budget<'_> {
    /// Counts the object `id` (which must be of `kind` and at most `bound` bytes) from its
    /// header, without reading it.
    fn count(
        &mut self,
        repo: &gix::Repository,
        id: ObjectId,
        kind: ObjectKind,
        bound: u64,
        path: &dyn Fn() -> EntryPath,
    ) -> Result<(), Unreadable> {
        let objects = |message: String| Unreadable::Objects { path: path(), message };
        let header = repo.find_header(id).map_err(|e| objects(super::one_line(&e)))?;
        if header.kind() != kind {
            return Err(objects(format!("{} is a {}, not a {kind}", id, header.kind())));
        }
        let size = header.size();
        if size > bound {
            return Err(Unreadable::Entry {
                path: path(),
                problem: Problem::TooLarge { size, bound },
            });
        }
        self.bytes += size;
        if self.bytes > self.limits.total_bytes {
            return Err(Unreadable::TooManyBytes(self.limits.total_bytes));
        }
        Ok(())
    }

    /// Counts the object `id`, then reads it.
    fn read(
        &mut self,
        repo: &gix::Repository,
        id: ObjectId,
        kind: ObjectKind,
        bound: u64,
        path: &dyn Fn() -> EntryPath,
    ) -> Result<Vec<u8>, Unreadable> {
        self.count(repo, id, kind, bound, path)?;
        let object = repo
            .find_object(id)
            .map_err(|e| Unreadable::Objects { path: path(), message: super::one_line(&e) })?;
        Ok(object.detach().data)
    }
}
