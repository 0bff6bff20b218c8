package prom

import "strings"

// controllerOf resolves a pod's owner to its controller as OpenCost names it:
//
//	ReplicaSet owned by a Deployment     → deployment/<deployment>
//	ReplicaSet owned by X (e.g. Rollout) → <lower(X)>/<name>
//	ReplicaSet without owner             → replicaset/<replicaset>
//	Job owned by a CronJob               → job/<cronjob>  (kind stays "job", as OpenCost;
//	                                        the name is the CronJob's so its runs group together)
//	Job without owner                    → job/<job>
//	StatefulSet, DaemonSet, …            → <lower(kind)>/<name>
//	no owner ("<none>")                  → "", ""
func (r *raw) controllerOf(ns string, o owner) (kind, name string) {
	switch o.kind {
	case "", "<none>":
		return "", ""
	case "ReplicaSet":
		if up, ok := r.rsOwner[nsName{ns, o.name}]; ok && up.kind != "" && up.kind != "<none>" {
			return strings.ToLower(up.kind), up.name
		}
		return "replicaset", o.name
	case "Job":
		if up, ok := r.jobOwner[nsName{ns, o.name}]; ok && up.kind == "CronJob" {
			return "job", up.name
		}
		return "job", o.name
	default:
		return strings.ToLower(o.kind), o.name
	}
}
