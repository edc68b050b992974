import sys, time; sys.path.insert(0,'.')
import numpy as np
from route_scaling import node_pairs
from graphs.store import load_graph
from routing import RoutingService
g = load_graph('build/heidelberg'); s = RoutingService(g, profiles=('hike',))
net = s.network('hike'); h = net.hierarchy
pairs = node_pairs(g, 200, 2)
for a,b in pairs[:5]: net.node_query(a,b); h.node_query(a,b,False)
def t(fn):
    ts=[]
    for a,b in pairs:
        t0=time.thread_time(); fn(a,b); ts.append(time.thread_time()-t0)
    return round(np.median(ts)*1e6,1)
for _ in range(2):
    print("node_query us", t(lambda a,b: net.node_query(a,b)), "h.node_query path", t(lambda a,b: h.node_query(a,b)), "cost only", t(lambda a,b: h.node_query(a,b,False)))
