var L=globalThis,z=L.ShadowRoot&&(L.ShadyCSS===void 0||L.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,q=Symbol(),ot=new WeakMap,C=class{constructor(t,e,i){if(this._$cssResult$=!0,i!==q)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(z&&t===void 0){let i=e!==void 0&&e.length===1;i&&(t=ot.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),i&&ot.set(e,t))}return t}toString(){return this.cssText}},lt=r=>new C(typeof r=="string"?r:r+"",void 0,q),V=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((i,s,n)=>i+(a=>{if(a._$cssResult$===!0)return a.cssText;if(typeof a=="number")return a;throw Error("Value passed to 'css' function must be a 'css' function result: "+a+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(s)+r[n+1],r[0]);return new C(e,r,q)},ht=(r,t)=>{if(z)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let i=document.createElement("style"),s=L.litNonce;s!==void 0&&i.setAttribute("nonce",s),i.textContent=e.cssText,r.appendChild(i)}},K=z?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let i of t.cssRules)e+=i.cssText;return lt(e)})(r):r;var{is:Dt,defineProperty:Pt,getOwnPropertyDescriptor:Ht,getOwnPropertyNames:Mt,getOwnPropertySymbols:Ot,getPrototypeOf:Rt}=Object,I=globalThis,ct=I.trustedTypes,Tt=ct?ct.emptyScript:"",Ut=I.reactiveElementPolyfillSupport,k=(r,t)=>r,F={toAttribute(r,t){switch(t){case Boolean:r=r?Tt:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},pt=(r,t)=>!Dt(r,t),dt={attribute:!0,type:String,converter:F,reflect:!1,useDefault:!1,hasChanged:pt};Symbol.metadata??=Symbol("metadata"),I.litPropertyMetadata??=new WeakMap;var g=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=dt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let i=Symbol(),s=this.getPropertyDescriptor(t,i,e);s!==void 0&&Pt(this.prototype,t,s)}}static getPropertyDescriptor(t,e,i){let{get:s,set:n}=Ht(this.prototype,t)??{get(){return this[e]},set(a){this[e]=a}};return{get:s,set(a){let h=s?.call(this);n?.call(this,a),this.requestUpdate(t,h,i)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??dt}static _$Ei(){if(this.hasOwnProperty(k("elementProperties")))return;let t=Rt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(k("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(k("properties"))){let e=this.properties,i=[...Mt(e),...Ot(e)];for(let s of i)this.createProperty(s,e[s])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[i,s]of e)this.elementProperties.set(i,s)}this._$Eh=new Map;for(let[e,i]of this.elementProperties){let s=this._$Eu(e,i);s!==void 0&&this._$Eh.set(s,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let i=new Set(t.flat(1/0).reverse());for(let s of i)e.unshift(K(s))}else t!==void 0&&e.push(K(t));return e}static _$Eu(t,e){let i=e.attribute;return i===!1?void 0:typeof i=="string"?i:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let i of e.keys())this.hasOwnProperty(i)&&(t.set(i,this[i]),delete this[i]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ht(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,i){this._$AK(t,i)}_$ET(t,e){let i=this.constructor.elementProperties.get(t),s=this.constructor._$Eu(t,i);if(s!==void 0&&i.reflect===!0){let n=(i.converter?.toAttribute!==void 0?i.converter:F).toAttribute(e,i.type);this._$Em=t,n==null?this.removeAttribute(s):this.setAttribute(s,n),this._$Em=null}}_$AK(t,e){let i=this.constructor,s=i._$Eh.get(t);if(s!==void 0&&this._$Em!==s){let n=i.getPropertyOptions(s),a=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:F;this._$Em=s;let h=a.fromAttribute(e,n.type);this[s]=h??this._$Ej?.get(s)??h,this._$Em=null}}requestUpdate(t,e,i,s=!1,n){if(t!==void 0){let a=this.constructor;if(s===!1&&(n=this[t]),i??=a.getPropertyOptions(t),!((i.hasChanged??pt)(n,e)||i.useDefault&&i.reflect&&n===this._$Ej?.get(t)&&!this.hasAttribute(a._$Eu(t,i))))return;this.C(t,e,i)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:i,reflect:s,wrapped:n},a){i&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,a??e??this[t]),n!==!0||a!==void 0)||(this._$AL.has(t)||(this.hasUpdated||i||(e=void 0),this._$AL.set(t,e)),s===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[s,n]of this._$Ep)this[s]=n;this._$Ep=void 0}let i=this.constructor.elementProperties;if(i.size>0)for(let[s,n]of i){let{wrapped:a}=n,h=this[s];a!==!0||this._$AL.has(s)||h===void 0||this.C(s,void 0,n,h)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(i=>i.hostUpdate?.()),this.update(e)):this._$EM()}catch(i){throw t=!1,this._$EM(),i}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};g.elementStyles=[],g.shadowRootOptions={mode:"open"},g[k("elementProperties")]=new Map,g[k("finalized")]=new Map,Ut?.({ReactiveElement:g}),(I.reactiveElementVersions??=[]).push("2.1.2");var tt=globalThis,mt=r=>r,W=tt.trustedTypes,_t=W?W.createPolicy("lit-html",{createHTML:r=>r}):void 0,$t="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,bt="?"+y,Nt=`<${bt}>`,w=document,P=()=>w.createComment(""),H=r=>r===null||typeof r!="object"&&typeof r!="function",et=Array.isArray,Lt=r=>et(r)||typeof r?.[Symbol.iterator]=="function",Y=`[ 	
\f\r]`,D=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ut=/-->/g,gt=/>/g,$=RegExp(`>|${Y}(?:([^\\s"'>=/]+)(${Y}*=${Y}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),ft=/'/g,yt=/"/g,wt=/^(?:script|style|textarea|title)$/i,it=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),p=it(1),Yt=it(2),Xt=it(3),A=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),vt=new WeakMap,b=w.createTreeWalker(w,129);function At(r,t){if(!et(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return _t!==void 0?_t.createHTML(t):t}var zt=(r,t)=>{let e=r.length-1,i=[],s,n=t===2?"<svg>":t===3?"<math>":"",a=D;for(let h=0;h<e;h++){let o=r[h],c,m,d=-1,u=0;for(;u<o.length&&(a.lastIndex=u,m=a.exec(o),m!==null);)u=a.lastIndex,a===D?m[1]==="!--"?a=ut:m[1]!==void 0?a=gt:m[2]!==void 0?(wt.test(m[2])&&(s=RegExp("</"+m[2],"g")),a=$):m[3]!==void 0&&(a=$):a===$?m[0]===">"?(a=s??D,d=-1):m[1]===void 0?d=-2:(d=a.lastIndex-m[2].length,c=m[1],a=m[3]===void 0?$:m[3]==='"'?yt:ft):a===yt||a===ft?a=$:a===ut||a===gt?a=D:(a=$,s=void 0);let f=a===$&&r[h+1].startsWith("/>")?" ":"";n+=a===D?o+Nt:d>=0?(i.push(c),o.slice(0,d)+$t+o.slice(d)+y+f):o+y+(d===-2?h:f)}return[At(r,n+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),i]},M=class r{constructor({strings:t,_$litType$:e},i){let s;this.parts=[];let n=0,a=0,h=t.length-1,o=this.parts,[c,m]=zt(t,e);if(this.el=r.createElement(c,i),b.currentNode=this.el.content,e===2||e===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(s=b.nextNode())!==null&&o.length<h;){if(s.nodeType===1){if(s.hasAttributes())for(let d of s.getAttributeNames())if(d.endsWith($t)){let u=m[a++],f=s.getAttribute(d).split(y),N=/([.?@])?(.*)/.exec(u);o.push({type:1,index:n,name:N[2],strings:f,ctor:N[1]==="."?Z:N[1]==="?"?J:N[1]==="@"?G:x}),s.removeAttribute(d)}else d.startsWith(y)&&(o.push({type:6,index:n}),s.removeAttribute(d));if(wt.test(s.tagName)){let d=s.textContent.split(y),u=d.length-1;if(u>0){s.textContent=W?W.emptyScript:"";for(let f=0;f<u;f++)s.append(d[f],P()),b.nextNode(),o.push({type:2,index:++n});s.append(d[u],P())}}}else if(s.nodeType===8)if(s.data===bt)o.push({type:2,index:n});else{let d=-1;for(;(d=s.data.indexOf(y,d+1))!==-1;)o.push({type:7,index:n}),d+=y.length-1}n++}}static createElement(t,e){let i=w.createElement("template");return i.innerHTML=t,i}};function S(r,t,e=r,i){if(t===A)return t;let s=i!==void 0?e._$Co?.[i]:e._$Cl,n=H(t)?void 0:t._$litDirective$;return s?.constructor!==n&&(s?._$AO?.(!1),n===void 0?s=void 0:(s=new n(r),s._$AT(r,e,i)),i!==void 0?(e._$Co??=[])[i]=s:e._$Cl=s),s!==void 0&&(t=S(r,s._$AS(r,t.values),s,i)),t}var X=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:i}=this._$AD,s=(t?.creationScope??w).importNode(e,!0);b.currentNode=s;let n=b.nextNode(),a=0,h=0,o=i[0];for(;o!==void 0;){if(a===o.index){let c;o.type===2?c=new O(n,n.nextSibling,this,t):o.type===1?c=new o.ctor(n,o.name,o.strings,this,t):o.type===6&&(c=new Q(n,this,t)),this._$AV.push(c),o=i[++h]}a!==o?.index&&(n=b.nextNode(),a++)}return b.currentNode=w,s}p(t){let e=0;for(let i of this._$AV)i!==void 0&&(i.strings!==void 0?(i._$AI(t,i,e),e+=i.strings.length-2):i._$AI(t[e])),e++}},O=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,i,s){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=i,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=S(this,t,e),H(t)?t===l||t==null||t===""?(this._$AH!==l&&this._$AR(),this._$AH=l):t!==this._$AH&&t!==A&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Lt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==l&&H(this._$AH)?this._$AA.nextSibling.data=t:this.T(w.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:i}=t,s=typeof i=="number"?this._$AC(t):(i.el===void 0&&(i.el=M.createElement(At(i.h,i.h[0]),this.options)),i);if(this._$AH?._$AD===s)this._$AH.p(e);else{let n=new X(s,this),a=n.u(this.options);n.p(e),this.T(a),this._$AH=n}}_$AC(t){let e=vt.get(t.strings);return e===void 0&&vt.set(t.strings,e=new M(t)),e}k(t){et(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,i,s=0;for(let n of t)s===e.length?e.push(i=new r(this.O(P()),this.O(P()),this,this.options)):i=e[s],i._$AI(n),s++;s<e.length&&(this._$AR(i&&i._$AB.nextSibling,s),e.length=s)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let i=mt(t).nextSibling;mt(t).remove(),t=i}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},x=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,i,s,n){this.type=1,this._$AH=l,this._$AN=void 0,this.element=t,this.name=e,this._$AM=s,this.options=n,i.length>2||i[0]!==""||i[1]!==""?(this._$AH=Array(i.length-1).fill(new String),this.strings=i):this._$AH=l}_$AI(t,e=this,i,s){let n=this.strings,a=!1;if(n===void 0)t=S(this,t,e,0),a=!H(t)||t!==this._$AH&&t!==A,a&&(this._$AH=t);else{let h=t,o,c;for(t=n[0],o=0;o<n.length-1;o++)c=S(this,h[i+o],e,o),c===A&&(c=this._$AH[o]),a||=!H(c)||c!==this._$AH[o],c===l?t=l:t!==l&&(t+=(c??"")+n[o+1]),this._$AH[o]=c}a&&!s&&this.j(t)}j(t){t===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Z=class extends x{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===l?void 0:t}},J=class extends x{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==l)}},G=class extends x{constructor(t,e,i,s,n){super(t,e,i,s,n),this.type=5}_$AI(t,e=this){if((t=S(this,t,e,0)??l)===A)return;let i=this._$AH,s=t===l&&i!==l||t.capture!==i.capture||t.once!==i.once||t.passive!==i.passive,n=t!==l&&(i===l||s);s&&this.element.removeEventListener(this.name,this,i),n&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},Q=class{constructor(t,e,i){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=i}get _$AU(){return this._$AM._$AU}_$AI(t){S(this,t)}};var It=tt.litHtmlPolyfillSupport;It?.(M,O),(tt.litHtmlVersions??=[]).push("3.3.3");var Et=(r,t,e)=>{let i=e?.renderBefore??t,s=i._$litPart$;if(s===void 0){let n=e?.renderBefore??null;i._$litPart$=s=new O(t.insertBefore(P(),n),n,void 0,e??{})}return s._$AI(r),s};var st=globalThis,_=class extends g{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Et(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};_._$litElement$=!0,_.finalized=!0,st.litElementHydrateSupport?.({LitElement:_});var Wt=st.litElementPolyfillSupport;Wt?.({LitElement:_});(st.litElementVersions??=[]).push("4.2.2");var St={name:"Slow Live camera",description:"Live view with a timeline of the day's recordings and alarms.",live:"Live",streaming:"Streaming",starting:"Starts when watched",offline:"Offline",unavailable:"Unavailable",loading:"Loading\u2026",nothing_recorded:"Nothing recorded at {time}.",closest:"Play {span}",playing_from:"Nothing recorded at {time}; playing from {start}.",play_on:"Play on\u2026",sent:"Sent to {player}.",previous_day:"Previous day",next_day:"Next day",date:"Day",zoom_in:"1 hour",zoom_out:"24 hours",no_recordings:"This camera is not recorded.",error:"Could not load: {message}",camera:"Camera",media_player:"Default media player",height:"Height (px)",show_timeline:"Show the timeline",show_play_on:"Show \u201CPlay on\u2026\u201D",alarm_motion:"Motion",alarm_intrusion:"Intrusion",alarm_line_crossing:"Line crossing",alarm_loitering:"Loitering",alarm_object:"Object left or removed",alarm_tampering:"Tampering or video loss",alarm_device_fault:"Device fault",alarm_other:"Other alarm"},jt={name:"\u6162\u76F4\u64AD\u6444\u50CF\u5934",description:"\u5B9E\u65F6\u753B\u9762\uFF0C\u4E0B\u65B9\u662F\u5F53\u5929\u5F55\u50CF\u548C\u62A5\u8B66\u7684\u65F6\u95F4\u8F74\u3002",live:"\u76F4\u64AD",streaming:"\u76F4\u64AD\u4E2D",starting:"\u89C2\u770B\u65F6\u5F00\u59CB\u62C9\u6D41",offline:"\u79BB\u7EBF",unavailable:"\u4E0D\u53EF\u7528",loading:"\u52A0\u8F7D\u4E2D\u2026",nothing_recorded:"{time} \u6CA1\u6709\u5F55\u50CF\u3002",closest:"\u64AD\u653E {span}",playing_from:"{time} \u6CA1\u6709\u5F55\u50CF\uFF1B\u4ECE {start} \u5F00\u59CB\u64AD\u653E\u3002",play_on:"\u5728\u2026\u4E0A\u64AD\u653E",sent:"\u5DF2\u53D1\u9001\u5230 {player}\u3002",previous_day:"\u524D\u4E00\u5929",next_day:"\u540E\u4E00\u5929",date:"\u65E5\u671F",zoom_in:"1 \u5C0F\u65F6",zoom_out:"24 \u5C0F\u65F6",no_recordings:"\u6B64\u6444\u50CF\u5934\u6CA1\u6709\u4E91\u7AEF\u5F55\u50CF\u3002",error:"\u52A0\u8F7D\u5931\u8D25\uFF1A{message}",camera:"\u6444\u50CF\u5934",media_player:"\u9ED8\u8BA4\u64AD\u653E\u5668",height:"\u9AD8\u5EA6\uFF08\u50CF\u7D20\uFF09",show_timeline:"\u663E\u793A\u65F6\u95F4\u8F74",show_play_on:"\u663E\u793A\u201C\u5728\u2026\u4E0A\u64AD\u653E\u201D",alarm_motion:"\u79FB\u52A8\u4FA6\u6D4B",alarm_intrusion:"\u533A\u57DF\u5165\u4FB5",alarm_line_crossing:"\u8D8A\u7EBF",alarm_loitering:"\u5F98\u5F8A",alarm_object:"\u7269\u54C1\u9057\u7559\u6216\u79FB\u8D70",alarm_tampering:"\u906E\u6321\u6216\u89C6\u9891\u4E22\u5931",alarm_device_fault:"\u8BBE\u5907\u6545\u969C",alarm_other:"\u5176\u4ED6\u62A5\u8B66"};function E(r,t,e={}){return((r??"").toLowerCase().startsWith("zh")?jt:St)[t].replace(/\{(\w+)\}/g,(s,n)=>e[n]??"")}function xt(r,t){let e=`alarm_${t}`;return e in St?E(r,e):t}var v="volcengine_slow_live";var R=class extends _{setConfig(t){this._config=t}get _schema(){return[{name:"entity",required:!0,selector:{entity:{filter:{domain:"camera",integration:v}}}},{name:"media_player",selector:{entity:{filter:{domain:"media_player"}}}},{name:"height",selector:{number:{min:120,max:1200,mode:"box"}}},{name:"show_timeline",selector:{boolean:{}}},{name:"show_play_on",selector:{boolean:{}}}]}render(){if(!this.hass||!this._config)return p``;let t={show_timeline:!0,show_play_on:!0,...this._config};return p`<ha-form
      .hass=${this.hass}
      .data=${t}
      .schema=${this._schema}
      .computeLabel=${e=>E(this.hass?.locale?.language,e.name==="entity"?"camera":e.name)}
      @value-changed=${this._changed}
    ></ha-form>`}_changed(t){t.stopPropagation();let e={...t.detail.value};this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}};R.properties={hass:{attribute:!1},_config:{state:!0}};function j(r,t){return(t-r.start)/(r.end-r.start)}function rt(r,t){let e=Math.min(1,Math.max(0,t));return Math.round(r.start+e*(r.end-r.start))}function Ct(r,t){let e=new Date(r.start);e.setMinutes(0,0,0);let i=[];for(let s=e.getTime();s<=r.end;s+=36e5)s>=r.start&&new Date(s).getHours()%t===0&&i.push(s);return i}function nt(r,t){let e=Math.min(Math.max(r.start,t-18e5),r.end-36e5);return{start:e,end:e+36e5}}var Bt=1e4,kt=6e4;function at(r){let t=new Date(r),e=i=>String(i).padStart(2,"0");return`${t.getFullYear()}-${e(t.getMonth()+1)}-${e(t.getDate())}`}var U=class extends _{static getConfigElement(){return document.createElement("volcengine-slow-live-card-editor")}static getStubConfig(t){return{entity:Object.values(t.entities??{}).find(i=>i.platform===v&&i.entity_id.startsWith("camera."))?.entity_id??""}}setConfig(t){if(!t.entity||!t.entity.startsWith("camera."))throw new Error("entity: a camera of Volcengine Slow Live is required");this._config?.entity!==t.entity&&(this._timeline=void 0,this._playback=void 0),this._config=t}getCardSize(){return 6}connectedCallback(){super.connectedCallback(),this._ensureStreamElement(),this._timer=window.setInterval(()=>{this._load()},kt),this._clock=window.setInterval(()=>this._tick(),500)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this._timer),window.clearInterval(this._clock)}async _ensureStreamElement(){if(customElements.get("ha-camera-stream")||!window.loadCardHelpers)return;await(await window.loadCardHelpers()).createCardElement({type:"picture-entity",entity:this._config?.entity,camera_view:"live"}),await customElements.whenDefined("ha-camera-stream"),this.requestUpdate()}get _language(){return this.hass?.locale?.language??this.hass?.language}_t(t,e){return E(this._language,t,e)}_time(t,e=!1){let i=this.hass?.locale?.time_zone==="server"?this.hass.config.time_zone:void 0;return new Intl.DateTimeFormat(this._language,{hour:"2-digit",minute:"2-digit",second:e?"2-digit":void 0,timeZone:i}).format(new Date(t))}_watchAlarms(){if(!this.hass||!this._config)return;let t=this.hass.entities?.[this._config.entity]?.device_id;this._alarmEntity??=Object.values(this.hass.entities??{}).find(i=>i.device_id===t&&i.platform===v&&i.entity_id.startsWith("event."))?.entity_id;let e=this._alarmEntity?this.hass.states[this._alarmEntity]?.state:void 0;if(e!==this._alarmSeen){let i=this._alarmSeen===void 0;this._alarmSeen=e,!i&&this._timeline&&this._load(!0)}}updated(){if(this._watchAlarms(),this.hass&&this._config&&!this._timeline&&!this._error&&!this._day){let t=Date.now();this._day={start:t-864e5,end:t},this._view=this._day,this._load()}}async _load(t=!1){if(!this.hass||!this._config||!this._day)return;if(Date.now()-this._day.end<2*kt){let i=Date.now(),s=i-this._day.end;this._day={start:i-864e5,end:i},this._view&&(this._view={start:this._view.start+s,end:this._view.end+s})}try{this._timeline=await this.hass.callWS({type:`${v}/timeline`,entity_id:this._config.entity,start:new Date(this._day.start).toISOString(),end:new Date(this._day.end).toISOString(),refresh:t}),this._error=void 0}catch(i){this._error=this._t("error",{message:i.message??String(i)})}}_tick(){let t=this._video();!t||!this._playback?.start||(this._frame=Date.parse(this._playback.start)+t.currentTime*1e3)}_video(){let t=this.renderRoot.querySelector(".recording");return t?t instanceof HTMLVideoElement?t:t.shadowRoot?.querySelector("video")??null:null}async _play(t){if(!(!this.hass||!this._config)){this._message=void 0,this._closest=void 0;try{let e=await this.hass.callWS({type:`${v}/playback`,entity_id:this._config.entity,start:new Date(t).toISOString()}),i=this._time(t,!0);if(!e.url){this._message=this._t("nothing_recorded",{time:i}),this._closest=e.after??e.before??void 0;return}this._playback=e,this._frame=Date.parse(e.start??e.requested),!e.moment_recorded&&e.start&&(this._message=this._t("playing_from",{time:i,start:this._time(Date.parse(e.start),!0)}))}catch(e){this._message=e.message??String(e)}}}_live(){this._playback=void 0,this._frame=void 0,this._message=void 0,this._closest=void 0}_onTimelineClick(t){if(!this._view)return;let i=t.currentTarget.getBoundingClientRect();this._play(rt(this._view,(t.clientX-i.left)/i.width))}_onWheel(t){if(!this._view||!this._day)return;t.preventDefault();let i=t.currentTarget.getBoundingClientRect(),s=rt(this._view,(t.clientX-i.left)/i.width);this._view=t.deltaY<0?nt(this._day,s):this._day}_zoom(){if(!this._view||!this._day)return;let t=this._view.end-this._view.start>36e5,e=this._frame??this._day.end-36e5/2;this._view=t?nt(this._day,e):this._day}_shiftDay(t){if(!this._day||!this._timeline)return;let e=Date.parse(this._timeline.retention.recordings),i=Math.min(Date.now(),this._day.end+t*864e5);i=Math.max(i,e+36e5),this._day={start:i-864e5,end:i},this._view=this._day,this._timeline=void 0,this._load()}_pickDay(t){let e=t.target.value;if(!e)return;let[i,s,n]=e.split("-").map(Number),a=new Date(i,s-1,n+1).getTime(),h=Math.min(Date.now(),a);this._day={start:h-864e5,end:h},this._view=this._day,this._timeline=void 0,this._load()}_playOn(t){let e=t.target,i=e.value;if(e.value="",!i||!this.hass||!this._config||!this._view)return;let s=this._frame??this._view.start,n=this._playback?.end?Date.parse(this._playback.end):this._view.end;this.hass.callService(v,"play_recording",{entity_id:this._config.entity,media_player:i,start:new Date(s).toISOString(),end:new Date(Math.min(n,Date.now())).toISOString()}).then(()=>{let a=this.hass?.states[i]?.attributes.friendly_name??i;this._message=this._t("sent",{player:String(a)})},a=>{this._message=a.message})}_streamState(t){return!t||t.state==="unavailable"?this._t("offline"):t.state==="streaming"?this._t("streaming"):this._t("starting")}render(){if(!this._config||!this.hass)return l;let t=this.hass.states[this._config.entity],e=this._config.height;return p`<ha-card>
      <div class="media" style=${e?`height:${e}px`:""}>
        ${this._playback?.url?this._renderRecording(this._playback.url):t?p`<ha-camera-stream
                .hass=${this.hass}
                .stateObj=${t}
                muted
                controls
              ></ha-camera-stream>`:l}
        <div class="overlay">
          <span class="name">${t?.attributes.friendly_name??this._config.entity}</span>
          ${this._playback&&this._frame!==void 0?p`<span class="clock">${this._time(this._frame,!0)}</span>`:p`<span class="state">${this._streamState(t)}</span>`}
        </div>
      </div>
      ${this._message?p`<div class="message">
            ${this._message}
            ${this._closest?p`<button
                  @click=${()=>{this._play(Date.parse(this._closest.start))}}
                >
                  ${this._t("closest",{span:`${this._time(Date.parse(this._closest.start))}\u2013${this._time(Date.parse(this._closest.end))}`})}
                </button>`:l}
          </div>`:l}
      ${this._config.show_timeline===!1?l:this._renderTimeline()}
    </ha-card>`}_renderRecording(t){return customElements.get("ha-hls-player")?p`<ha-hls-player
        class="recording"
        .hass=${this.hass}
        .url=${t}
        autoplay
        playsinline
        muted
        controls
      ></ha-hls-player>`:p`<video class="recording" src=${t} autoplay playsinline muted controls></video>`}_renderTimeline(){let t=this._view,e=this._timeline;if(this._error)return p`<div class="message">${this._error}</div>`;if(!t||!e)return p`<div class="message">${this._t("loading")}</div>`;let i=t.end-t.start>36e5,s=i?3:1,n=o=>`${(j(t,o)*100).toFixed(3)}%`,a=Date.parse(e.now),h=Object.values(this.hass?.states??{}).filter(o=>o.entity_id.startsWith("media_player."));return p`<div class="controls">
        <button @click=${()=>this._shiftDay(-1)} title=${this._t("previous_day")}>‹</button>
        <button @click=${()=>this._shiftDay(1)} title=${this._t("next_day")}>›</button>
        <input
          class="date"
          type="date"
          aria-label=${this._t("date")}
          min=${at(Date.parse(e.retention.recordings))}
          max=${at(Date.now())}
          .value=${at(this._day?this._day.end-1:Date.now())}
          @change=${this._pickDay}
        />
        <button class="zoom" @click=${this._zoom}>
          ${i?this._t("zoom_in"):this._t("zoom_out")}
        </button>
        ${this._playback?p`<button class="live" @click=${this._live}>${this._t("live")}</button>`:l}
        ${this._config?.show_play_on===!1?l:p`<select class="play-on" @change=${this._playOn}>
              <option value="">${this._t("play_on")}</option>
              ${h.map(o=>p`<option
                    value=${o.entity_id}
                    ?selected=${!1}
                  >${o.attributes.friendly_name??o.entity_id}</option>`)}
            </select>`}
      </div>
      ${e.records?l:p`<div class="message">${this._t("no_recordings")}</div>`}
      <div class="timeline" @click=${this._onTimelineClick} @wheel=${this._onWheel}>
        ${e.recorded.map(o=>{let c=Math.max(Date.parse(o.start),t.start),m=Math.min(Date.parse(o.end),t.end);return m<=c?l:p`<div
            class="span"
            data-start=${o.start}
            data-end=${o.end}
            style="left:${n(c)};width:${((j(t,m)-j(t,c))*100).toFixed(3)}%"
          ></div>`})}
        ${e.alarms.filter(o=>Date.parse(o.time)>=t.start&&Date.parse(o.time)<=t.end).map(o=>p`<button
              class="alarm ${o.kind}"
              style="left:${n(Date.parse(o.time))}"
              title="${xt(this._language,o.kind)} ${this._time(Date.parse(o.time),!0)}"
              @click=${c=>{c.stopPropagation(),this._play(Date.parse(o.time)-Bt)}}
            ></button>`)}
        ${a>=t.start&&a<=t.end?p`<div class="now" style="left:${n(a)}"></div>`:l}
        ${this._frame!==void 0&&this._frame>=t.start&&this._frame<=t.end?p`<div class="cursor" style="left:${n(this._frame)}"></div>`:l}
      </div>
      <div class="hours">
        ${Ct(t,s).map(o=>p`<span style="left:${n(o)}">${this._time(o)}</span>`)}
      </div>`}};U.properties={hass:{attribute:!1},_config:{state:!0},_timeline:{state:!0},_day:{state:!0},_view:{state:!0},_playback:{state:!0},_frame:{state:!0},_message:{state:!0},_closest:{state:!0},_error:{state:!0}},U.styles=V`
    ha-card {
      overflow: hidden;
    }
    .media {
      position: relative;
      background: #000;
      min-height: 120px;
    }
    ha-camera-stream,
    ha-hls-player,
    video {
      display: block;
      width: 100%;
      height: 100%;
    }
    .overlay {
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      display: flex;
      /* On the right: cameras print their own clock and name at the top left. */
      justify-content: flex-end;
      gap: 12px;
      padding: 4px 8px;
      color: #fff;
      background: linear-gradient(rgba(0, 0, 0, 0.5), transparent);
      pointer-events: none;
      font-size: 14px;
    }
    .clock {
      font-variant-numeric: tabular-nums;
    }
    .message {
      padding: 6px 12px;
      color: var(--secondary-text-color);
    }
    .controls {
      display: flex;
      gap: 6px;
      align-items: center;
      padding: 6px 8px 0;
      flex-wrap: wrap;
    }
    button,
    select,
    input.date {
      font: inherit;
      color: var(--primary-text-color);
      background: var(--secondary-background-color, #eee);
      border: 1px solid var(--divider-color, #ccc);
      border-radius: 4px;
      padding: 2px 8px;
      cursor: pointer;
    }
    .play-on {
      margin-left: auto;
    }
    .timeline {
      position: relative;
      height: 28px;
      margin: 8px;
      background: var(--secondary-background-color, #eee);
      border-radius: 4px;
      cursor: pointer;
      touch-action: pan-y;
    }
    .span {
      position: absolute;
      top: 0;
      bottom: 0;
      background: var(--primary-color, #03a9f4);
      opacity: 0.8;
    }
    .alarm {
      position: absolute;
      top: -4px;
      width: 10px;
      height: 10px;
      padding: 0;
      margin-left: -5px;
      border-radius: 50%;
      background: var(--error-color, #db4437);
      border: 1px solid var(--card-background-color, #fff);
    }
    .alarm.motion {
      background: var(--warning-color, #ffa600);
    }
    .alarm.tampering,
    .alarm.device_fault {
      background: var(--disabled-text-color, #888);
    }
    .now,
    .cursor {
      position: absolute;
      top: -2px;
      bottom: -2px;
      width: 2px;
      background: var(--primary-text-color, #000);
      pointer-events: none;
    }
    .cursor {
      background: var(--accent-color, #ff9800);
    }
    .hours {
      position: relative;
      height: 16px;
      margin: 0 8px 8px;
      font-size: 11px;
      color: var(--secondary-text-color);
    }
    .hours span {
      position: absolute;
      transform: translateX(-50%);
      white-space: nowrap;
    }
  `;customElements.whenDefined("home-assistant").then(()=>{for(let[r,t]of[["volcengine-slow-live-card",U],["volcengine-slow-live-card-editor",R]])window.customElements.get(r)||window.customElements.define(r,t)});window.customCards=window.customCards??[];window.customCards.push({type:"volcengine-slow-live-card",name:E(navigator.language,"name"),description:E(navigator.language,"description"),preview:!0,documentationURL:"https://github.com/volcengine-slow-live/ha-volcengine-slow-live"});export{U as SlowLiveCard};
